package dev.healthcheckoperator.operator.crd.v1alpha1;

import java.util.List;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;

/**
 * A DNS query whose answer is checked. The per-type rules on expectedValues are the sidecar's (DnsActionRules): a
 * value the operator lets through and the sidecar refuses would stop the sidecar, so both say the same. The
 * address rules are in the schema; the CNAME, MX and SRV forms are regular expressions over up to 32 values of 64
 * checks, past the API server's CEL cost budget, so DnsExpectedValues judges them before anything is rendered.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(value = "!has(self.match) || has(self.expectedValues)", fieldPath = ".match",
        message = "match goes with expectedValues")
@ValidationRule(value = "self.recordType != 'A' || !has(self.expectedValues) "
        + "|| self.expectedValues.all(v, isIP(v) && ip(v).family() == 4)", fieldPath = ".expectedValues",
        message = "expectedValues of an A check must be IPv4 addresses, e.g. 10.0.0.1")
@ValidationRule(value = "self.recordType != 'AAAA' || !has(self.expectedValues) "
        + "|| self.expectedValues.all(v, isIP(v) && ip(v).family() == 6)", fieldPath = ".expectedValues",
        message = "expectedValues of an AAAA check must be IPv6 addresses, e.g. fd00::1")
public class DnsAction {

    /** A DNS name: labels of letters, digits, '-' and '_' (SRV names), at most 63 each, an optional final dot. */
    public static final String NAME_BODY = "[A-Za-z0-9_]([-A-Za-z0-9_]{0,61}[A-Za-z0-9_])?([.][A-Za-z0-9_]([-A-Za-z0-9_]{0,61}[A-Za-z0-9_])?)*[.]?";
    public static final String NAME = "^" + NAME_BODY + "$";
    /** 0 to 65535. */
    public static final String NUMBER = "([0-9]{1,4}|[1-5][0-9]{4}|6[0-4][0-9]{3}|65[0-4][0-9]{2}|655[0-2][0-9]|6553[0-5])";

    @JsonPropertyDescription("Name to query, e.g. checkout.shop.svc.cluster.local. It is sent as written: no search "
            + "domain of the pod is appended, so give the full name.")
    @Required
    @Pattern(NAME)
    @Size(max = 253)
    private String name;

    @JsonPropertyDescription("Record type to ask for: A, AAAA, CNAME, SRV, TXT or MX.")
    @Required
    private DnsRecordType recordType;

    @JsonPropertyDescription("Values the answer must hold (see match); without them any record of the type passes. "
            + "Written as: A and AAAA an address (10.0.0.1, fd00::1, compared as addresses); CNAME the target "
            + "name; MX 'preference exchange' (10 mail.example.com); SRV 'priority weight port target' "
            + "(0 5 5060 sip.example.com); TXT the record's strings joined. Names are compared without case and "
            + "final dot.")
    @Size(min = 1, max = 32)
    private List<@Size(min = 1, max = 1024) String> expectedValues;

    @JsonPropertyDescription("all (the default): every expected value must be in the answer, which may hold more; "
            + "any: at least one must be.")
    private DnsMatch match;

    @JsonPropertyDescription("DNS server to ask, host or host:port (port 53 by default, an IPv6 address in "
            + "brackets); by default the pod's resolver, the first nameserver of its /etc/resolv.conf.")
    @Pattern("^([A-Za-z0-9]([-A-Za-z0-9.]*[A-Za-z0-9])?|\\[[0-9A-Fa-f:.]+\\])(:([1-9][0-9]{0,3}|[1-5][0-9]{4}|6[0-4][0-9]{3}"
            + "|65[0-4][0-9]{2}|655[0-2][0-9]|6553[0-5]))?$")
    @Size(max = 261)
    private String server;

    public String getName() {
        return name;
    }

    public void setName(String name) {
        this.name = name;
    }

    public DnsRecordType getRecordType() {
        return recordType;
    }

    public void setRecordType(DnsRecordType recordType) {
        this.recordType = recordType;
    }

    public List<String> getExpectedValues() {
        return expectedValues;
    }

    public void setExpectedValues(List<String> expectedValues) {
        this.expectedValues = expectedValues;
    }

    public DnsMatch getMatch() {
        return match;
    }

    public void setMatch(DnsMatch match) {
        this.match = match;
    }

    public String getServer() {
        return server;
    }

    public void setServer(String server) {
        this.server = server;
    }
}
