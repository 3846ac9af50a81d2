package dev.healthcheckoperator.sidecar.checks.spec;

import io.quarkus.runtime.annotations.RegisterForReflection;
import java.util.List;
import java.util.Locale;

/**
 * A DNS query for {@code name} of {@code recordType}, sent to {@code server} (host:port), or to the first
 * nameserver of the pod's /etc/resolv.conf. The name is queried as written: no search domains are appended.
 * With {@code expectedValues}, {@code match: all} (the default) needs every value among the answers,
 * {@code match: any} at least one; without them, any answer of the type passes.
 */
@RegisterForReflection
public record DnsAction(String name, String recordType, List<String> expectedValues, String match, String server) {

    public enum RecordType {
        A, AAAA, CNAME, SRV, TXT, MX
    }

    public List<String> expectedValuesOrEmpty() {
        return expectedValues == null ? List.of() : expectedValues;
    }

    /** Absent means all: a check that lists two addresses usually means both. */
    public boolean matchesAny() {
        return match != null && match.toLowerCase(Locale.ROOT).equals("any");
    }

    /** The parsed type; the loader has refused anything else. */
    public RecordType type() {
        return RecordType.valueOf(recordType.toUpperCase(Locale.ROOT));
    }
}
