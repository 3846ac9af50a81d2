package dev.healthcheckoperator.sidecar.checks.spec;

import dev.healthcheckoperator.sidecar.checks.spec.DnsAction.RecordType;
import io.vertx.core.net.HostAndPort;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * What a {@code dns} check may say, and the one written form of each answer, shared by the loader (which refuses
 * an expected value that could never match) and the probe (which compares answers in this form):
 * <ul>
 * <li>A, AAAA: the address ({@code 10.0.0.1}, {@code fd00::1}, compared as addresses, not as text);</li>
 * <li>CNAME: the target name, case and a final dot ignored;</li>
 * <li>MX: {@code preference exchange}, e.g. {@code 10 mail.example.com};</li>
 * <li>SRV: {@code priority weight port target}, e.g. {@code 0 5 5060 sip.example.com}, as dig prints them;</li>
 * <li>TXT: the record's strings joined without separator (as SPF reads them), compared exactly.</li>
 * </ul>
 */
public final class DnsActionRules {

    public static final int DEFAULT_DNS_PORT = 53;
    private static final Pattern IPV4 = Pattern.compile(
            "((25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)\\.){3}(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)");
    private static final Pattern IPV6 = Pattern.compile("[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*");
    private static final Pattern WHITESPACE = Pattern.compile("\\s+");

    private DnsActionRules() {
    }

    static void validate(String at, DnsAction dns, List<String> problems) {
        if (dns.name() == null || dns.name().isEmpty()) {
            problems.add(at + "name: required");
        } else if (!ChecksFileLoader.isDnsName(dns.name())) {
            problems.add(at + "name: '" + dns.name() + "' is not a DNS name (labels of letters, digits, '-' and '_', "
                    + "at most 63 characters each, 253 in all)");
        }
        RecordType type = null;
        if (dns.recordType() == null) {
            problems.add(at + "recordType: required");
        } else {
            try {
                type = dns.type();
            } catch (IllegalArgumentException e) {
                problems.add(at + "recordType: '" + dns.recordType() + "' must be one of A, AAAA, CNAME, SRV, TXT, MX");
            }
        }
        if (dns.match() != null && !dns.match().equalsIgnoreCase("all") && !dns.match().equalsIgnoreCase("any")) {
            problems.add(at + "match: '" + dns.match() + "' must be all or any");
        }
        if (dns.match() != null && dns.expectedValuesOrEmpty().isEmpty()) {
            problems.add(at + "match: goes with expectedValues, and there are none");
        }
        List<String> expected = dns.expectedValuesOrEmpty();
        if (expected.size() > ChecksFileLoader.MAX_EXPECTED_VALUES) {
            problems.add(at + "expectedValues: at most " + ChecksFileLoader.MAX_EXPECTED_VALUES + " values, got "
                    + expected.size());
        }
        for (int i = 0; i < expected.size() && type != null; i++) {
            String value = expected.get(i);
            String vat = at + "expectedValues[" + i + "]: ";
            if (value == null || value.isBlank()) {
                problems.add(vat + "must not be empty");
            } else if (value.length() > ChecksFileLoader.MAX_EXPECTED_VALUE_LENGTH) {
                problems.add(vat + "at most " + ChecksFileLoader.MAX_EXPECTED_VALUE_LENGTH + " characters, got "
                        + value.length());
            } else if (normalize(type, value) == null) {
                problems.add(vat + "'" + value + "' is not " + formOf(type));
            }
        }
        if (dns.server() != null) {
            HostAndPort server = server(dns.server());
            if (server == null || !ChecksFileLoader.isDnsName(server.host()) && !isAddress(server.host())) {
                problems.add(at + "server: '" + dns.server() + "' must be host or host:port (an IPv6 address in "
                        + "brackets)");
            } else {
                ChecksFileLoader.inRange(at + "server", server.port(), 1, 65535, problems);
            }
        }
    }

    /** {@code host[:port]}, port 53 when absent; null when it does not parse. */
    public static HostAndPort server(String server) {
        HostAndPort parsed = HostAndPort.parseAuthority(server, DEFAULT_DNS_PORT);
        if (parsed == null) {
            return null;
        }
        String host = parsed.host();
        return host.startsWith("[") && host.endsWith("]")
                ? HostAndPort.create(host.substring(1, host.length() - 1), parsed.port()) : parsed;
    }

    private static boolean isAddress(String host) {
        return IPV4.matcher(host).matches() || IPV6.matcher(host).matches() && parseAddress(host) != null;
    }

    /** The one written form of {@code value} as an answer of {@code type}, or null when it cannot be one. */
    public static String normalize(RecordType type, String value) {
        String trimmed = value.trim();
        switch (type) {
            case A:
                return IPV4.matcher(trimmed).matches() && parseAddress(trimmed) instanceof Inet4Address v4
                        ? v4.getHostAddress() : null;
            case AAAA:
                return IPV6.matcher(trimmed).matches() && parseAddress(trimmed) instanceof Inet6Address v6
                        ? v6.getHostAddress() : null;
            case CNAME:
                return name(trimmed);
            case MX:
                return numbersThenName(trimmed, 1);
            case SRV:
                return numbersThenName(trimmed, 3);
            default:
                return value;
        }
    }

    /** {@code count} numbers from 0 to 65535, then a DNS name. */
    private static String numbersThenName(String value, int count) {
        String[] parts = WHITESPACE.split(value);
        if (parts.length != count + 1) {
            return null;
        }
        StringBuilder normalized = new StringBuilder();
        for (int i = 0; i < count; i++) {
            try {
                int number = Integer.parseInt(parts[i]);
                if (number < 0 || number > 65535) {
                    return null;
                }
                normalized.append(number).append(' ');
            } catch (NumberFormatException e) {
                return null;
            }
        }
        String name = name(parts[count]);
        return name == null ? null : normalized.append(name).toString();
    }

    /** Lower case, without the final dot; the root "." stays as it is (an MX of "." means no mail). */
    public static String name(String value) {
        if (value.equals(".")) {
            return value;
        }
        if (!ChecksFileLoader.isDnsName(value)) {
            return null;
        }
        String lower = value.toLowerCase(Locale.ROOT);
        return lower.endsWith(".") ? lower.substring(0, lower.length() - 1) : lower;
    }

    private static InetAddress parseAddress(String literal) {
        try {
            return InetAddress.getByName(literal); // a literal (checked by the patterns above): no lookup
        } catch (UnknownHostException e) {
            return null;
        }
    }

    private static String formOf(RecordType type) {
        return switch (type) {
            case A -> "an IPv4 address";
            case AAAA -> "an IPv6 address";
            case CNAME -> "a DNS name";
            case MX -> "'preference exchange', e.g. '10 mail.example.com'";
            case SRV -> "'priority weight port target', e.g. '0 5 5060 sip.example.com'";
            case TXT -> "a TXT value";
        };
    }
}
