package dev.healthcheckoperator.sidecar.checks.spec;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonStreamContext;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.deser.DeserializationProblemHandler;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.vertx.core.net.HostAndPort;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.function.Consumer;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.jboss.logging.Logger;

/**
 * Reads and validates the checks file. Every problem is reported with the path of the field
 * ({@code checks[2].httpGet.port}), all at once, so one edit fixes a file.
 *
 * <p>A field this sidecar does not know is ignored with a warning that names it, so that an operator newer than
 * its sidecars can add optional fields; a change the sidecar must understand raises {@code version}, and a
 * version newer than {@link #SUPPORTED_VERSION} is refused.
 */
public final class ChecksFileLoader {

    /** The newest checks-file format this sidecar reads; a file without {@code version} is version 1. */
    /**
     * 2 adds dns and tlsCertificate checks, httpGet method/body/contentType, header and body valueFile and tls
     * files.
     */
    public static final int SUPPORTED_VERSION = 2;
    public static final int MAX_CHECKS = 64;
    static final int MAX_HEADER_VALUE_LENGTH = HeaderValue.MAX_LENGTH;
    static final int MAX_FILE_PATH_LENGTH = 1024;
    /** A request body is a probe, not an upload; 64 checks of this fit well within one ConfigMap. */
    public static final int MAX_REQUEST_BODY_LENGTH = 8192;
    static final int MAX_CONTENT_TYPE_LENGTH = 256;
    static final int MAX_EXPECTED_VALUES = 32;
    static final int MAX_EXPECTED_VALUE_LENGTH = 1024;
    public static final int MAX_EXPIRES_WITHIN_DAYS = 365;
    private static final Set<String> HTTP_METHODS = Set.of("GET", "HEAD", "POST");
    public static final int DEFAULT_PERIOD_SECONDS = 10;
    public static final int DEFAULT_TIMEOUT_SECONDS = 2;
    public static final int DEFAULT_FAILURE_THRESHOLD = 3;
    public static final int DEFAULT_SUCCESS_THRESHOLD = 1;
    static final int MAX_PERIOD_SECONDS = 3600;
    static final int MAX_THRESHOLD = 100;

    private static final Pattern CHECK_NAME = Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?");
    private static final Pattern HEADER_NAME = Pattern.compile("[!#$%&'*+.^_`|~0-9A-Za-z-]+");
    /** A DNS name: labels of letters, digits, '-' and '_' (SRV names), at most 63 each, an optional final dot. */
    private static final Pattern DNS_NAME = Pattern.compile(
            "(?=.{1,253}$)[A-Za-z0-9_]([-A-Za-z0-9_]{0,61}[A-Za-z0-9_])?(\\.[A-Za-z0-9_]([-A-Za-z0-9_]{0,61}[A-Za-z0-9_])?)*\\.?");
    private static final Pattern MEDIA_TYPE = Pattern.compile(
            "[!#$%&'*+.^_`|~0-9A-Za-z-]+/[!#$%&'*+.^_`|~0-9A-Za-z-]+(\\s*;[\\t\\x20-\\x7E]*)?");

    private static final Logger LOG = Logger.getLogger(ChecksFileLoader.class);

    private ChecksFileLoader() {
    }

    public static List<Check> load(Path file) {
        return load(file, warning -> LOG.warnf("checks file %s: %s", file, warning));
    }

    /** Like {@link #load(Path)}, handing each warning (an ignored unknown field) to {@code warnings}. */
    public static List<Check> load(Path file, Consumer<String> warnings) {
        ChecksFile parsed = parse(file, warnings);
        List<String> problems = new ArrayList<>();
        List<Check> checks = validate(parsed, problems);
        if (!problems.isEmpty()) {
            throw new InvalidChecksFileException(file, problems);
        }
        return checks;
    }

    static ChecksFile parse(Path file, Consumer<String> warnings) {
        String text;
        try {
            text = Files.readString(file);
        } catch (IOException e) {
            throw new InvalidChecksFileException(file, List.of("cannot read the file: " + e));
        }
        if (text.isBlank()) {
            return ChecksFile.EMPTY;
        }
        try {
            ChecksFile parsed = mapperFor(file, warnings).readValue(text, ChecksFile.class);
            return parsed == null ? ChecksFile.EMPTY : parsed;
        } catch (JsonProcessingException e) {
            String path = e instanceof JsonMappingException mapping ? fieldPath(mapping) : "";
            String where = e.getLocation() == null ? ""
                    : " (line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr() + ")";
            throw new InvalidChecksFileException(file, List.of((path.isEmpty() ? "not valid " + formatOf(file) : path)
                    + ": " + e.getOriginalMessage() + where));
        }
    }

    private static ObjectMapper mapperFor(Path file, Consumer<String> warnings) {
        ObjectMapper mapper = "JSON".equals(formatOf(file)) ? JsonMapper.builder()
                .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS).build()
                : YAMLMapper.builder().disable(MapperFeature.ALLOW_COERCION_OF_SCALARS).build();
        return mapper.disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT) // 1.5 seconds is refused, not read as 1
                .enable(DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY)
                .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
                .addHandler(new UnknownFieldWarning(warnings));
    }

    /** Skips a field this sidecar does not know, and says which one (a typo still shows). */
    private static final class UnknownFieldWarning extends DeserializationProblemHandler {
        private final Consumer<String> warnings;

        UnknownFieldWarning(Consumer<String> warnings) {
            this.warnings = warnings;
        }

        @Override
        public boolean handleUnknownProperty(DeserializationContext context, JsonParser parser,
                JsonDeserializer<?> deserializer, Object beanOrClass, String propertyName) throws IOException {
            String known = deserializer.getKnownPropertyNames().stream().map(Object::toString).sorted()
                    .collect(Collectors.joining(", "));
            warnings.accept(pathOf(parser.getParsingContext()) + ": unknown field, ignored (known fields: "
                    + known + ")");
            parser.skipChildren();
            return true;
        }

        private static String pathOf(JsonStreamContext context) {
            Deque<String> parts = new ArrayDeque<>();
            for (JsonStreamContext c = context; c != null && !c.inRoot(); c = c.getParent()) {
                if (c.inArray()) {
                    parts.push("[" + c.getCurrentIndex() + "]");
                } else if (c.getCurrentName() != null) {
                    parts.push(c.getCurrentName());
                }
            }
            StringBuilder path = new StringBuilder();
            for (String part : parts) {
                if (path.length() > 0 && !part.startsWith("[")) {
                    path.append('.');
                }
                path.append(part);
            }
            return path.toString();
        }
    }

    private static String formatOf(Path file) {
        return file.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".json") ? "JSON" : "YAML";
    }

    /** {@code checks[1].tcpSocket.port} from Jackson's reference chain. */
    private static String fieldPath(JsonMappingException e) {
        StringBuilder path = new StringBuilder();
        for (JsonMappingException.Reference ref : e.getPath()) {
            if (ref.getFieldName() != null) {
                if (path.length() > 0) {
                    path.append('.');
                }
                path.append(ref.getFieldName());
            } else if (ref.getIndex() >= 0) {
                path.append('[').append(ref.getIndex()).append(']');
            }
        }
        return path.toString();
    }

    static List<Check> validate(ChecksFile file, List<String> problems) {
        if (file.version() != null && file.version() > SUPPORTED_VERSION) {
            // Its other fields may mean what this sidecar cannot know: judging them would only mislead.
            problems.add("version: " + file.version() + " is newer than this sidecar reads (up to "
                    + SUPPORTED_VERSION + "); run a sidecar image at least as new as the operator that wrote it");
            return List.of();
        }
        if (file.version() != null && file.version() < 1) {
            problems.add("version: must be 1 or more, got " + file.version());
        }
        int period = orDefault(file.periodSeconds(), DEFAULT_PERIOD_SECONDS);
        int timeout = orDefault(file.timeoutSeconds(), DEFAULT_TIMEOUT_SECONDS);
        int failures = orDefault(file.failureThreshold(), DEFAULT_FAILURE_THRESHOLD);
        int successes = orDefault(file.successThreshold(), DEFAULT_SUCCESS_THRESHOLD);
        checkTiming("", period, timeout, failures, successes, problems);

        List<CheckDefinition> definitions = file.checksOrEmpty();
        if (definitions.size() > MAX_CHECKS) {
            problems.add("checks: at most " + MAX_CHECKS + " checks, got " + definitions.size());
        }
        Set<String> names = new HashSet<>();
        List<Check> checks = new ArrayList<>();
        for (int i = 0; i < definitions.size(); i++) {
            String at = "checks[" + i + "].";
            CheckDefinition def = definitions.get(i);
            if (def == null) {
                problems.add("checks[" + i + "]: must be an object, got null");
                continue;
            }
            if (def.name() == null || def.name().isEmpty()) {
                problems.add(at + "name: required");
            } else if (def.name().length() > 63 || !CHECK_NAME.matcher(def.name()).matches()) {
                problems.add(at + "name: '" + def.name() + "' must be a DNS label (lower-case letters, digits and "
                        + "'-', at most 63 characters, starting and ending with a letter or digit)");
            } else if (!names.add(def.name())) {
                problems.add(at + "name: '" + def.name() + "' is used by an earlier check; names must be unique");
            }
            int checkPeriod = orDefault(def.periodSeconds(), period);
            int checkTimeout = orDefault(def.timeoutSeconds(), timeout);
            int checkFailures = orDefault(def.failureThreshold(), failures);
            int checkSuccesses = orDefault(def.successThreshold(), successes);
            checkTiming(at, checkPeriod, checkTimeout, checkFailures, checkSuccesses, problems);

            int handlers = (def.httpGet() != null ? 1 : 0) + (def.tcpSocket() != null ? 1 : 0)
                    + (def.grpc() != null ? 1 : 0) + (def.dns() != null ? 1 : 0)
                    + (def.tlsCertificate() != null ? 1 : 0);
            if (handlers != 1) {
                problems.add(at.substring(0, at.length() - 1) + ": exactly one of httpGet, tcpSocket, grpc, dns, "
                        + "tlsCertificate is required, got " + handlers);
            }
            if (def.httpGet() != null) {
                validateHttpGet(at + "httpGet.", def.httpGet(), problems);
            }
            if (def.tcpSocket() != null) {
                validateHostPort(at + "tcpSocket.", def.tcpSocket().host(), def.tcpSocket().port(), problems);
            }
            if (def.grpc() != null) {
                validateHostPort(at + "grpc.", def.grpc().host(), def.grpc().port(), problems);
                if (def.grpc().tls() != null) {
                    validateTls(at + "grpc.tls.", def.grpc().tls(), problems);
                }
            }
            if (def.dns() != null) {
                DnsActionRules.validate(at + "dns.", def.dns(), problems);
            }
            if (def.tlsCertificate() != null) {
                validateTlsCertificate(at + "tlsCertificate.", def.tlsCertificate(), problems);
            }
            FlapLimits flapLimits = flapLimits(at + "flapDetection.", def.flapDetection(), problems);
            checks.add(new Check(def.name(), Boolean.TRUE.equals(def.critical()), Duration.ofSeconds(checkPeriod),
                    Duration.ofSeconds(checkTimeout), checkFailures, checkSuccesses, def, flapLimits));
        }
        return checks;
    }

    private static void checkTiming(String at, int period, int timeout, int failures, int successes,
            List<String> problems) {
        inRange(at + "periodSeconds", period, 1, MAX_PERIOD_SECONDS, problems);
        inRange(at + "timeoutSeconds", timeout, 1, MAX_PERIOD_SECONDS, problems);
        inRange(at + "failureThreshold", failures, 1, MAX_THRESHOLD, problems);
        inRange(at + "successThreshold", successes, 1, MAX_THRESHOLD, problems);
        if (timeout >= period) {
            // A timeout as long as the period would let probes of a hung upstream overlap.
            problems.add(at + "timeoutSeconds: must be less than periodSeconds (" + timeout + " >= " + period + ")");
        }
    }

    /** On unless turned off; a window of 2 to 100 probes, and fewer transitions allowed than the window holds. */
    private static FlapLimits flapLimits(String at, FlapDetection flap, List<String> problems) {
        if (flap == null) {
            return FlapLimits.DEFAULT;
        }
        int window = orDefault(flap.window(), FlapLimits.DEFAULT_WINDOW);
        int maxTransitions = orDefault(flap.maxTransitions(), FlapLimits.DEFAULT_MAX_TRANSITIONS);
        inRange(at + "window", window, FlapLimits.MIN_WINDOW, FlapLimits.MAX_WINDOW, problems);
        if (maxTransitions < 1 || maxTransitions >= window) {
            // As many transitions as probes would never be exceeded: the check could never be flapping.
            problems.add(at + "maxTransitions: must be between 1 and window - 1 (" + (window - 1) + "), got "
                    + maxTransitions);
        }
        return new FlapLimits(!Boolean.FALSE.equals(flap.enabled()), window, maxTransitions);
    }

    private static void validateHttpGet(String at, HttpGetAction http, List<String> problems) {
        if (http.url() != null) {
            if (http.host() != null || http.port() != null || http.path() != null || http.scheme() != null) {
                problems.add(at + "url: give either url, or host/port/path/scheme, not both");
            }
            try {
                URI uri = new URI(http.url());
                String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
                if (!scheme.equals("http") && !scheme.equals("https")) {
                    problems.add(at + "url: '" + http.url() + "' must start with http:// or https://");
                } else if (uri.getHost() == null) {
                    problems.add(at + "url: '" + http.url() + "' has no host");
                }
            } catch (URISyntaxException e) {
                problems.add(at + "url: not a valid URL: " + e.getMessage());
            }
        } else {
            validateHostPort(at, http.host(), http.port(), problems);
            if (http.path() != null && !http.path().startsWith("/")) {
                problems.add(at + "path: '" + http.path() + "' must start with '/'");
            }
            if (http.scheme() != null && !http.scheme().equalsIgnoreCase("HTTP")
                    && !http.scheme().equalsIgnoreCase("HTTPS")) {
                problems.add(at + "scheme: '" + http.scheme() + "' must be HTTP or HTTPS");
            }
        }
        validateMethodAndBody(at, http, problems);
        List<HttpHeader> headers = http.headersOrEmpty();
        for (int h = 0; h < headers.size(); h++) {
            HttpHeader header = headers.get(h);
            String hat = at + "httpHeaders[" + h + "].";
            if (header == null || header.name() == null || !HEADER_NAME.matcher(header.name()).matches()) {
                problems.add(hat + "name: required, and only token characters (letters, digits, !#$%&'*+.^_`|~-)");
            }
            if (header != null && header.valueFile() != null) {
                if (header.value() != null) {
                    problems.add(hat + "value: give either value or valueFile, not both");
                } else if ("Host".equalsIgnoreCase(header.name())) {
                    problems.add(hat + "valueFile: a Host header is given as a value, not read from a file");
                }
                validateFilePath(hat + "valueFile", header.valueFile(), problems);
                continue;
            }
            String valueProblem = header == null ? null : headerValueProblem(header.name(), header.value());
            if (valueProblem != null) {
                problems.add(hat + "value: " + (header.value() == null ? "required (or valueFile)" : valueProblem));
            }
        }
        if (http.tls() != null) {
            boolean https = http.url() != null ? http.url().regionMatches(true, 0, "https://", 0, 8)
                    : "HTTPS".equalsIgnoreCase(http.scheme());
            if (!https) {
                problems.add(at + "tls: only for an https:// url or scheme HTTPS");
            }
            validateTls(at + "tls.", http.tls(), problems);
        }
        if (http.expectedStatuses() != null) {
            for (int s = 0; s < http.expectedStatuses().size(); s++) {
                Integer status = http.expectedStatuses().get(s);
                if (status == null || status < 100 || status > 599) {
                    problems.add(at + "expectedStatuses[" + s + "]: must be an HTTP status from 100 to 599, got "
                            + status);
                }
            }
        }
        List<JsonBodyAssertion> assertions = http.jsonBodyOrEmpty();
        for (int j = 0; j < assertions.size(); j++) {
            JsonBodyAssertion assertion = assertions.get(j);
            String jat = at + "jsonBody[" + j + "].";
            if (assertion == null) {
                problems.add(jat.substring(0, jat.length() - 1) + ": must be an object");
                continue;
            }
            try {
                JsonPathExpression.toPointer(assertion.path());
            } catch (IllegalArgumentException e) {
                problems.add(jat + "path: '" + assertion.path() + "' " + e.getMessage());
            }
            if (assertion.equals() == null) {
                problems.add(jat + "equals: required");
            }
        }
    }

    private static void validateTls(String at, TlsOptions tls, List<String> problems) {
        validateFilePath(at + "caFile", tls.caFile(), problems);
        validateFilePath(at + "certFile", tls.certFile(), problems);
        validateFilePath(at + "keyFile", tls.keyFile(), problems);
        if ((tls.certFile() == null) != (tls.keyFile() == null)) {
            problems.add(at + (tls.certFile() == null ? "certFile" : "keyFile")
                    + ": required with " + (tls.certFile() == null ? "keyFile" : "certFile")
                    + " (a client certificate needs both)");
        }
        if (tls.caFile() != null && tls.skipsVerify()) {
            // Both would leave the reader guessing which one wins: the CA bundle would never be looked at.
            problems.add(at + "caFile: has no effect with insecureSkipTlsVerify; give one of them");
        }
        if (tls.serverName() != null && (tls.serverName().isEmpty() || tls.serverName().length() > 253
                || tls.serverName().chars().anyMatch(c -> c <= ' ' || c == '/' || c == '@' || c == ':' || c > 0x7E))) {
            problems.add(at + "serverName: '" + tls.serverName() + "' is not a DNS name (at most 253 characters)");
        }
    }

    /** A file the sidecar reads a mounted ConfigMap or Secret key from: absolute, normalized, bounded. */
    private static void validateFilePath(String field, String path, List<String> problems) {
        if (path == null) {
            return;
        }
        if (path.isEmpty() || path.length() > MAX_FILE_PATH_LENGTH || !path.startsWith("/")
                || path.chars().anyMatch(c -> c < ' ' || c == 0x7F)) {
            problems.add(field + ": must be an absolute path of at most " + MAX_FILE_PATH_LENGTH
                    + " characters without control characters");
        } else if (path.endsWith("/") || List.of(path.split("/")).stream().anyMatch(p -> p.equals("..")
                || p.equals("."))) {
            problems.add(field + ": '" + path + "' must name a file, without '.' or '..' segments");
        }
    }

    private static void validateMethodAndBody(String at, HttpGetAction http, List<String> problems) {
        String method = http.methodOrGet();
        if (!HTTP_METHODS.contains(method)) {
            problems.add(at + "method: '" + http.method() + "' must be GET, HEAD or POST");
        }
        if (method.equals("HEAD") && !http.jsonBodyOrEmpty().isEmpty()) {
            // A HEAD answer has no body: the assertions could never hold, or would pass on nothing.
            problems.add(at + "jsonBody: a HEAD response has no body to assert on; use GET or POST");
        }
        if (http.body() != null) {
            if (!method.equals("POST")) {
                problems.add(at + "body: only a POST sends a body, the method is " + method);
            }
            if (http.body().valueFile() != null) {
                if (http.body().value() != null) {
                    problems.add(at + "body.value: give either value or valueFile, not both");
                }
                validateFilePath(at + "body.valueFile", http.body().valueFile(), problems);
            } else if (http.body().value() == null) {
                problems.add(at + "body.value: required (or valueFile)");
            } else if (http.body().value().length() > MAX_REQUEST_BODY_LENGTH) {
                problems.add(at + "body.value: at most " + MAX_REQUEST_BODY_LENGTH + " characters, got "
                        + http.body().value().length());
            }
        }
        if (http.contentType() != null) {
            if (http.body() == null) {
                problems.add(at + "contentType: goes with body, and there is none");
            }
            if (http.contentType().length() > MAX_CONTENT_TYPE_LENGTH
                    || !MEDIA_TYPE.matcher(http.contentType()).matches()) {
                problems.add(at + "contentType: '" + http.contentType() + "' is not a media type such as "
                        + "application/json (at most " + MAX_CONTENT_TYPE_LENGTH + " visible ASCII characters)");
            }
        }
    }

    private static void validateTlsCertificate(String at, TlsCertificateAction tls, List<String> problems) {
        validateHostPort(at, tls.host(), tls.port(), problems);
        if (tls.serverName() != null && !isDnsName(tls.serverName())) {
            problems.add(at + "serverName: '" + tls.serverName() + "' is not a DNS name");
        }
        if (tls.expiresWithinDays() != null) {
            inRange(at + "expiresWithinDays", tls.expiresWithinDays(), 0, MAX_EXPIRES_WITHIN_DAYS, problems);
        }
        TlsOptions options = tls.tls();
        if (options == null) {
            return;
        }
        validateTls(at + "tls.", options, problems);
        if (options.serverName() != null && tls.serverName() != null) {
            // Two names would leave the reader guessing which one the certificate is verified against.
            problems.add(at + "tls.serverName: give serverName or tls.serverName, not both");
        }
        if (options.caFile() != null && !options.skipsVerify() && Boolean.TRUE.equals(tls.insecureSkipTlsVerify())) {
            problems.add(at + "tls.caFile: has no effect with insecureSkipTlsVerify; give one of them");
        }
    }

    static boolean isDnsName(String name) {
        return name != null && DNS_NAME.matcher(name).matches();
    }

    /**
     * A header value the probe can send as it is: ASCII visible characters, spaces and tabs (RFC 9110 field
     * values, without the obsolete non-ASCII ones). A control character would make the request fail to build.
     */
    private static String headerValueProblem(String name, String value) {
        if (value == null) {
            return "required";
        }
        String problem = HeaderValue.problem(value);
        if (problem != null) {
            return problem;
        }
        if ("Host".equalsIgnoreCase(name) && HostAndPort.parseAuthority(value, -1) == null) {
            return "'" + value + "' is not host[:port]";
        }
        return null;
    }

    static void validateHostPort(String at, String host, Integer port, List<String> problems) {
        if (host == null || host.isBlank()) {
            problems.add(at + "host: required");
        } else if (host.chars().anyMatch(c -> c <= ' ' || c == '/' || c == '@')) {
            problems.add(at + "host: '" + host + "' is not a host name or IP address");
        }
        if (port == null) {
            problems.add(at + "port: required");
        } else {
            inRange(at + "port", port, 1, 65535, problems);
        }
    }

    static void inRange(String field, int value, int min, int max, List<String> problems) {
        if (value < min || value > max) {
            problems.add(field + ": must be between " + min + " and " + max + ", got " + value);
        }
    }

    private static int orDefault(Integer value, int fallback) {
        return value == null ? fallback : value;
    }
}
