package dev.healthcheckoperator.operator.reconciler;

import java.util.List;
import java.util.regex.Pattern;

import dev.healthcheckoperator.operator.crd.v1alpha1.CheckSpec;
import dev.healthcheckoperator.operator.crd.v1alpha1.DnsAction;
import dev.healthcheckoperator.operator.crd.v1alpha1.DnsRecordType;

/**
 * The written forms of a dns check's expectedValues that the schema leaves to the operator (see {@link DnsAction}):
 * CNAME a name, MX {@code preference exchange}, SRV {@code priority weight port target}, each number 0 to 65535.
 */
final class DnsExpectedValues {

    private static final Pattern CNAME = Pattern.compile(DnsAction.NAME);
    private static final Pattern MX = Pattern.compile("^" + DnsAction.NUMBER + "\\s+" + DnsAction.NAME_BODY + "$");
    private static final Pattern SRV = Pattern.compile("^" + DnsAction.NUMBER + "\\s+" + DnsAction.NUMBER + "\\s+"
            + DnsAction.NUMBER + "\\s+" + DnsAction.NAME_BODY + "$");

    private DnsExpectedValues() {
    }

    static void check(List<CheckSpec> checks, List<String> problems) {
        if (checks == null) {
            return;
        }
        for (int i = 0; i < checks.size(); i++) {
            DnsAction dns = checks.get(i).getDns();
            if (dns == null || dns.getExpectedValues() == null || dns.getRecordType() == null) {
                continue;
            }
            String expected = expectedForm(dns.getRecordType());
            Pattern form = dns.getRecordType() == DnsRecordType.CNAME ? CNAME
                    : dns.getRecordType() == DnsRecordType.MX ? MX : dns.getRecordType() == DnsRecordType.SRV ? SRV
                    : null;
            for (int v = 0; v < dns.getExpectedValues().size(); v++) {
                String value = dns.getExpectedValues().get(v).trim();
                String at = "spec.checks[" + i + "].dns.expectedValues[" + v + "]: ";
                if (value.isEmpty()) {
                    problems.add(at + "must not be blank");
                } else if (form != null && (!form.matcher(value).matches() || lastWord(value).length() > 253)) {
                    problems.add(at + "'" + value + "' is not " + expected);
                }
            }
        }
    }

    private static String lastWord(String value) {
        String[] words = value.split("\\s+");
        return words[words.length - 1];
    }

    private static String expectedForm(DnsRecordType type) {
        return switch (type) {
            case CNAME -> "a DNS name";
            case MX -> "'preference exchange', e.g. '10 mail.example.com'";
            case SRV -> "'priority weight port target', e.g. '0 5 5060 sip.example.com'";
            default -> "";
        };
    }
}
