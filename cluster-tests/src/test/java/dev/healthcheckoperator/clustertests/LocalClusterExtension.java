package dev.healthcheckoperator.clustertests;

import java.util.List;

import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.junit.jupiter.api.extension.TestWatcher;
import org.junit.platform.commons.support.AnnotationSupport;

/**
 * Starts the {@link LocalCluster} once per test run (the root store closes it after the last test) and hands it to
 * test constructors and methods; fails a test during which the operator exited unless its {@link ClusterTest} allows
 * it; prints the operator's log tail and the cluster's state when a test fails.
 */
public class LocalClusterExtension
        implements BeforeAllCallback, BeforeEachCallback, AfterEachCallback, ParameterResolver, TestWatcher {

    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace
            .create(LocalClusterExtension.class);
    private static final int LOG_TAIL_LINES = 80;
    private static final String EXITS_BEFORE = "operator exits before the test";

    @Override
    public void beforeAll(ExtensionContext context) {
        cluster(context);
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        context.getStore(NAMESPACE).put(EXITS_BEFORE, cluster(context).operator().unrequestedExits().size());
    }

    @Override
    public void afterEach(ExtensionContext context) {
        boolean mayExit = AnnotationSupport.findAnnotation(context.getRequiredTestClass(), ClusterTest.class)
                .map(ClusterTest::operatorMayExit).orElse(false);
        List<String> exits = cluster(context).operator().unrequestedExits();
        int before = context.getStore(NAMESPACE).get(EXITS_BEFORE, Integer.class);
        if (!mayExit && exits.size() > before) {
            throw new AssertionError("the operator exited during the test: " + exits.subList(before, exits.size()));
        }
    }

    @Override
    public boolean supportsParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
        return parameterContext.getParameter().getType() == LocalCluster.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
        return cluster(extensionContext);
    }

    @Override
    public void testFailed(ExtensionContext context, Throwable cause) {
        LocalCluster cluster = context.getRoot().getStore(NAMESPACE).get(LocalCluster.class, LocalCluster.class);
        if (cluster == null) {
            return;
        }
        System.out.printf("%n===== %s failed; operator log %s (last %d lines):%n%s%n===== cluster:%n%s%n",
                context.getDisplayName(), cluster.operator().log(), LOG_TAIL_LINES,
                cluster.operator().logTail(LOG_TAIL_LINES), statusOf(cluster));
    }

    private static String statusOf(LocalCluster cluster) {
        try {
            return cluster.status();
        } catch (RuntimeException e) {
            return "unknown: " + e.getMessage();
        }
    }

    private static LocalCluster cluster(ExtensionContext context) {
        return context.getRoot().getStore(NAMESPACE).getOrComputeIfAbsent(LocalCluster.class,
                key -> LocalCluster.start(), LocalCluster.class);
    }
}
