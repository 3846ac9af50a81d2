package dev.healthcheckoperator.operator.statuspage;

import static dev.healthcheckoperator.operator.testsupport.TestHealthChecks.freePort;
import static dev.healthcheckoperator.operator.testsupport.TestHealthChecks.healthCheck;
import static dev.healthcheckoperator.operator.testsupport.TestHealthChecks.httpCheck;
import static dev.healthcheckoperator.operator.testsupport.TestHealthChecks.markDeploymentAvailable;
import static dev.healthcheckoperator.operator.testsupport.TestHealthChecks.tcpCheck;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.File;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import javax.imageio.ImageIO;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;

import dev.healthcheckoperator.operator.crd.v1alpha1.HealthCheck;
import dev.healthcheckoperator.operator.testsupport.ControlPlane;
import dev.healthcheckoperator.operator.testsupport.KubeApiServerResource;
import dev.healthcheckoperator.operator.testsupport.StubSidecar;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;

/**
 * The status page in a real browser (Debian's chromium, driven through chromium-driver), against the operator
 * running on a real API server: what a person signing in with a Kubernetes token sees, and what changes without a
 * reload. Saves a 1280x800 screenshot to target/status-page.png (docs/status-page.png is one of them).
 */
@QuarkusTest
@QuarkusTestResource(value = KubeApiServerResource.class, restrictToAnnotatedClass = false)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class StatusPageBrowserTest {

    static final Path CHROMIUM = Path.of(System.getProperty("status-page-test.chromium", "/usr/bin/chromium"));
    static final Path CHROMEDRIVER = Path.of(System.getProperty("status-page-test.chromedriver",
            "/usr/bin/chromedriver"));
    static final Path SCREENSHOT = Path.of("target", "status-page.png");
    /** The page polls every 5 s; a change shows within a few polls even on a busy machine. */
    static final Duration PATIENCE = Duration.ofSeconds(45);

    @TestHTTPResource("/")
    URL page;

    final KubernetesClient admin = ControlPlane.admin();
    final List<StubSidecar> sidecars = new ArrayList<>();
    ChromeDriver browser;
    Path profile;
    String shop;
    String billing;
    StubSidecar cart;

    @BeforeAll
    void healthChecksAndBrowser() throws Exception {
        assertTrue(Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER),
                "Debian's chromium and chromium-driver are needed (make browser-tools installs them)");
        shop = ControlPlane.createNamespace(admin, "browser-shop");
        billing = ControlPlane.createNamespace(admin, "browser-billing");
        running(shop, "checkout", "down", "api:ok", "payments-db:failing:critical");
        cart = running(shop, "cart", "ok", "api:ok", "redis:ok");
        running(shop, "search", "degraded", "api:ok", "index:failing");
        running(billing, "invoices", "ok", "api:ok");
        admin.resource(healthCheck(billing, "ledger", freePort(), tcpCheck("db", "ledger-db.billing.svc", 5432,
                true))).create();

        profile = Files.createTempDirectory("status-page-chromium");
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        // As root, in a machine without a GPU or outside network: no sandbox, no GPU, nothing fetched in the
        // background; a fresh profile every run.
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--disable-extensions", "--user-data-dir=" + profile, "--window-size=1280,800");
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(CHROMEDRIVER.toFile()).usingAnyFreePort().build();
        browser = new ChromeDriver(service, options);
        browser.manage().window().setSize(new Dimension(1280, 800));
    }

    @AfterAll
    void close() throws Exception {
        if (browser != null) {
            browser.quit();
        }
        sidecars.forEach(StubSidecar::close);
        if (profile != null) {
            try (var files = Files.walk(profile)) {
                files.sorted((a, b) -> b.compareTo(a)).map(Path::toFile).forEach(File::delete);
            }
        }
    }

    @Test
    void aPersonSeesTheirHealthChecksChangeLiveAndOnlyTheNamespacesRbacAllows() throws Exception {
        String everywhere = Viewers.clusterViewer(admin, billing, "browser-everywhere");
        browser.get(page.toString());
        signIn(everywhere);

        // Every HealthCheck of the test, each namespace through the filter.
        choose("namespace-filter", shop);
        waitFor(() -> rowKeys().equals(keys(shop, "cart", "checkout", "search")));
        waitFor(() -> "Unhealthy".equals(health(shop, "checkout")) && "Degraded".equals(health(shop, "search"))
                && "Healthy".equals(health(shop, "cart")));
        WebElement failing = row(shop, "checkout").findElement(By.cssSelector("li[data-check='payments-db']"));
        assertTrue(failing.getText().contains("failing"), failing.getText());
        assertTrue(failing.getText().contains("ConnectionRefused: connection refused"), failing.getText());
        assertTrue(failing.getText().contains("critical"), failing.getText());
        choose("namespace-filter", billing);
        waitFor(() -> rowKeys().equals(keys(billing, "invoices", "ledger")));

        // A health change shows up without a reload: the marker set in this document survives.
        choose("namespace-filter", shop);
        waitFor(() -> rowKeys().equals(keys(shop, "cart", "checkout", "search")));
        ((JavascriptExecutor) browser).executeScript("window.notReloaded = true;");
        cart.answer("down", "api:ok", "redis:failing:critical");
        waitFor(() -> "Unhealthy".equals(health(shop, "cart")));
        assertEquals(Boolean.TRUE, ((JavascriptExecutor) browser).executeScript("return window.notReloaded;"));

        // The health filter, then back to everything for the picture.
        choose("health-filter", "Unhealthy");
        waitFor(() -> rowKeys().equals(keys(shop, "cart", "checkout")));
        choose("health-filter", "");
        waitFor(() -> rowKeys().size() == 3);
        // The window of headless chromium keeps some height for itself: the viewport is set to the picture's size.
        browser.executeCdpCommand("Emulation.setDeviceMetricsOverride",
                Map.of("width", 1280, "height", 800, "deviceScaleFactor", 1, "mobile", false));
        Files.createDirectories(SCREENSHOT.getParent());
        Files.copy(((TakesScreenshot) browser).getScreenshotAs(OutputType.FILE).toPath(), SCREENSHOT,
                StandardCopyOption.REPLACE_EXISTING);
        BufferedImage picture = ImageIO.read(SCREENSHOT.toFile());
        assertEquals(List.of(1280, 800), List.of(picture.getWidth(), picture.getHeight()));

        // Signed in as someone who may read the shop namespace only: the rest is neither listed nor offered.
        String shopOnly = Viewers.namespaceViewer(admin, shop, "browser-shop-viewer");
        browser.findElement(By.id("token-forget")).click();
        signIn(shopOnly);
        choose("namespace-filter", "");
        waitFor(() -> rowKeys().equals(keys(shop, "cart", "checkout", "search")));
        waitFor(() -> offered("namespace-filter").equals(List.of("", shop)));
    }

    private StubSidecar running(String namespace, String name, String status, String... checks) throws Exception {
        StubSidecar sidecar = new StubSidecar();
        sidecars.add(sidecar);
        sidecar.answer(status, checks);
        List<dev.healthcheckoperator.operator.crd.v1alpha1.CheckSpec> specs = new ArrayList<>();
        for (String check : checks) {
            String[] parts = check.split(":");
            specs.add(parts[0].endsWith("db") || parts[0].equals("redis")
                    ? tcpCheck(parts[0], parts[0] + "." + namespace.replaceAll("-[a-z0-9]+$", "") + ".svc", 5432,
                            parts.length > 2)
                    : httpCheck(parts[0], "http://" + name + "." + namespace + ".svc:8080/ready"));
            specs.get(specs.size() - 1).setCritical(parts.length > 2);
        }
        HealthCheck hc = admin.resource(healthCheck(namespace, name, sidecar.port(),
                specs.toArray(dev.healthcheckoperator.operator.crd.v1alpha1.CheckSpec[]::new))).create();
        markDeploymentAvailable(admin, hc, 1);
        return sidecar;
    }

    private void signIn(String token) {
        WebElement field = browser.findElement(By.id("token"));
        field.clear();
        field.sendKeys(token);
        browser.findElement(By.id("token-save")).click();
    }

    /** Picks an option by value, once the page offers it (the namespaces come with the first answer). */
    /**
     * The page renders the options again whenever the list changes, so the element found may go stale between
     * finding it and selecting: find, check and select in one attempt, and try again (waitFor ignores staleness).
     */
    private void choose(String selectId, String value) {
        waitFor(() -> {
            Select select = new Select(browser.findElement(By.id(selectId)));
            if (select.getOptions().stream().noneMatch(option -> value.equals(option.getAttribute("value")))) {
                return false;
            }
            select.selectByValue(value);
            return value.equals(select.getFirstSelectedOption().getAttribute("value"));
        });
    }

    private List<String> offered(String selectId) {
        return new Select(browser.findElement(By.id(selectId))).getOptions().stream()
                .map(option -> option.getAttribute("value")).toList();
    }

    private Set<String> rowKeys() {
        Set<String> keys = new TreeSet<>();
        browser.findElements(By.cssSelector("#rows tr")).forEach(tr -> keys.add(tr.getAttribute("data-key")));
        return keys;
    }

    private static Set<String> keys(String namespace, String... names) {
        Set<String> keys = new TreeSet<>();
        for (String name : names) {
            keys.add(namespace + "/" + name);
        }
        return keys;
    }

    private WebElement row(String namespace, String name) {
        return browser.findElement(By.cssSelector("#rows tr[data-key='" + namespace + "/" + name + "']"));
    }

    private String health(String namespace, String name) {
        List<WebElement> rows = browser.findElements(
                By.cssSelector("#rows tr[data-key='" + namespace + "/" + name + "'] td.health"));
        return rows.isEmpty() ? null : rows.get(0).getText();
    }

    private void waitFor(java.util.function.BooleanSupplier condition) {
        new WebDriverWait(browser, PATIENCE).ignoring(org.openqa.selenium.StaleElementReferenceException.class)
                .withMessage(() -> "the page shows " + browser.findElement(By.id("rows")).getText() + ", status line: "
                        + browser.findElement(By.id("status-line")).getText())
                .until(driver -> condition.getAsBoolean());
    }
}
