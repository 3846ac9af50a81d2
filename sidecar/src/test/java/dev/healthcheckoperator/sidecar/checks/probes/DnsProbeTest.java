package dev.healthcheckoperator.sidecar.checks.probes;

import static dev.healthcheckoperator.sidecar.testsupport.ScriptedDnsServer.address;
import static org.assertj.core.api.Assertions.assertThat;

import dev.healthcheckoperator.sidecar.checks.FailureReason;
import dev.healthcheckoperator.sidecar.checks.ProbeOutcome;
import dev.healthcheckoperator.sidecar.checks.spec.DnsAction;
import dev.healthcheckoperator.sidecar.testsupport.Ports;
import dev.healthcheckoperator.sidecar.testsupport.Probing;
import dev.healthcheckoperator.sidecar.testsupport.ScriptedDnsServer;
import io.vertx.core.Vertx;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The dns probe against a DNS server this test runs on 127.0.0.1, well-behaved and not. */
class DnsProbeTest {

    /** Generous: a busy machine must not turn an answer into a timeout. */
    private static final long TIMEOUT_MS = 10_000;
    private static final long SHORT_TIMEOUT_MS = 1500;
    private static Vertx vertx;
    private static ScriptedDnsServer dns;

    @BeforeAll
    static void start() throws Exception {
        vertx = Vertx.vertx();
        dns = new ScriptedDnsServer();
        dns.put("shop.test", ScriptedDnsServer.A, address("10.0.0.2"), address("10.0.0.1"));
        dns.put("shop.test", ScriptedDnsServer.AAAA, address("fd00::1"));
        dns.put("alias.test", ScriptedDnsServer.CNAME, ScriptedDnsServer.name("Shop.Test"));
        dns.put("shop.test", ScriptedDnsServer.MX, ScriptedDnsServer.mx(10, "mail.shop.test"));
        dns.put("_sip._tcp.shop.test", ScriptedDnsServer.SRV, ScriptedDnsServer.srv(0, 5, 5060, "sip.shop.test"));
        dns.put("shop.test", ScriptedDnsServer.TXT, ScriptedDnsServer.txt("v=spf1 ", "-all"));
    }

    @AfterAll
    static void stop() throws Exception {
        dns.close();
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    private static ProbeOutcome query(String name, String type, List<String> expected, String match)
            throws Exception {
        return query(new DnsAction(name, type, expected, match, dns.address()), TIMEOUT_MS);
    }

    private static ProbeOutcome query(DnsAction action, long timeoutMillis) throws Exception {
        return Probing.once(vertx, new DnsProbe(vertx, action), timeoutMillis);
    }

    @Test
    void answersOfEachTypeAreReadInTheirWrittenForm() throws Exception {
        assertThat(query("shop.test", "A", null, null).message()).isEqualTo("A shop.test: [10.0.0.1, 10.0.0.2]");
        assertThat(query("shop.test", "AAAA", List.of("FD00:0::1"), null).success()).isTrue();
        assertThat(query("alias.test", "CNAME", List.of("shop.test."), null).message())
                .isEqualTo("CNAME alias.test: [shop.test]");
        assertThat(query("shop.test", "MX", List.of("10  MAIL.shop.test"), null).message())
                .isEqualTo("MX shop.test: [10 mail.shop.test]");
        assertThat(query("_sip._tcp.shop.test", "SRV", List.of("0 5 5060 sip.shop.test"), null).success()).isTrue();
        assertThat(query("shop.test", "TXT", List.of("v=spf1 -all"), null).message())
                .isEqualTo("TXT shop.test: [v=spf1 -all]");
    }

    @Test
    void matchAllNeedsEveryValueAndAnyNeedsOne() throws Exception {
        assertThat(query("shop.test", "A", List.of("10.0.0.1", "10.0.0.2"), null).success()).isTrue();
        ProbeOutcome missing = query("shop.test", "A", List.of("10.0.0.1", "10.0.0.3"), "all");
        assertThat(missing.reason()).isEqualTo(FailureReason.UnexpectedAnswer);
        assertThat(missing.message()).isEqualTo("A shop.test answered [10.0.0.1, 10.0.0.2], missing [10.0.0.3]");
        assertThat(query("shop.test", "A", List.of("10.0.0.3", "10.0.0.2"), "any").success()).isTrue();
        ProbeOutcome none = query("shop.test", "A", List.of("10.0.0.3", "10.0.0.4"), "any");
        assertThat(none.reason()).isEqualTo(FailureReason.UnexpectedAnswer);
        assertThat(none.message()).endsWith("expected any of [10.0.0.3, 10.0.0.4]");
    }

    @Test
    void aNameWithoutRecordsOfTheTypeIsAnUnexpectedAnswer() throws Exception {
        dns.put("v4only.test", ScriptedDnsServer.A, address("10.0.0.7"));
        dns.put("v4only.test", ScriptedDnsServer.AAAA);
        ProbeOutcome outcome = query("v4only.test", "AAAA", null, null);
        assertThat(outcome.reason()).isEqualTo(FailureReason.UnexpectedAnswer);
        assertThat(outcome.message()).isEqualTo("no AAAA record for v4only.test");
    }

    @Test
    void answerCodesAreDnsFailuresNamingTheCode() throws Exception {
        ProbeOutcome nx = query("nowhere.test", "A", null, null);
        assertThat(nx.reason()).isEqualTo(FailureReason.DnsFailure);
        assertThat(nx.message()).startsWith("NXDOMAIN: the name does not exist (A nowhere.test at 127.0.0.1:");
        ProbeOutcome servfail = query("servfail.test", "A", null, null);
        assertThat(servfail.reason()).isEqualTo(FailureReason.DnsFailure);
        assertThat(servfail.message()).startsWith("SERVFAIL: the server failed to answer");
        assertThat(query("refused.test", "A", null, null).message()).startsWith("REFUSED");
    }

    @Test
    void aServerThatNeverAnswersIsADnsFailureAtTheDeadline() throws Exception {
        ProbeOutcome outcome = query(new DnsAction("silent.test", "A", null, null, dns.address()), SHORT_TIMEOUT_MS);
        assertThat(outcome.reason()).isEqualTo(FailureReason.DnsFailure);
        assertThat(outcome.message()).contains("query timed out").contains("A silent.test");
    }

    @Test
    void anAnswerWithAnotherIdIsNotTaken() throws Exception {
        ProbeOutcome outcome = query(new DnsAction("wrong-id.test", "A", null, null, dns.address()),
                SHORT_TIMEOUT_MS);
        assertThat(outcome.reason()).isEqualTo(FailureReason.DnsFailure);
        assertThat(outcome.message()).contains("query timed out");
    }

    @Test
    void malformedTruncatedAndOversizedRepliesAreDnsFailures() throws Exception {
        ProbeOutcome garbage = query("garbage.test", "A", null, null);
        assertThat(garbage.reason()).as(garbage.toString()).isEqualTo(FailureReason.DnsFailure);
        assertThat(garbage.message()).startsWith("malformed");
        ProbeOutcome truncated = query("truncated.test", "A", null, null);
        assertThat(truncated.reason()).isEqualTo(FailureReason.DnsFailure);
        assertThat(truncated.message()).startsWith("truncated answer (TC)");
        ProbeOutcome huge = query("huge.test", "A", null, null);
        assertThat(huge.reason()).as(huge.toString()).isEqualTo(FailureReason.DnsFailure);
        assertThat(huge.message()).startsWith("malformed");
    }

    @Test
    void aServerPortWithNothingBehindItFails() throws Exception {
        ProbeOutcome outcome = query(new DnsAction("shop.test", "A", null, null, "127.0.0.1:" + Ports.closedPort()),
                SHORT_TIMEOUT_MS);
        assertThat(outcome.reason()).isEqualTo(FailureReason.DnsFailure);
    }

    @Test
    void withoutAServerTheFirstNameserverOfResolvConfIsAsked(@TempDir Path dir) throws Exception {
        String[] hostPort = dns.address().split(":");
        Path resolvConf = Files.writeString(dir.resolve("resolv.conf"), "search shop.svc\n# a comment\n"
                + "nameserver " + hostPort[0] + "\nnameserver 127.0.0.2\noptions ndots:5\n");
        assertThat(DnsProbe.firstNameserver(resolvConf).getAddress().getHostAddress()).isEqualTo("127.0.0.1");
        assertThat(DnsProbe.firstNameserver(resolvConf).getPort()).isEqualTo(53);
        Path none = Files.writeString(dir.resolve("empty.conf"), "search shop.svc\n");
        ProbeOutcome outcome = Probing.once(vertx, new DnsProbe(vertx, new DnsAction("shop.test", "A", null, null,
                null), none), TIMEOUT_MS);
        assertThat(outcome.reason()).isEqualTo(FailureReason.DnsFailure);
        assertThat(outcome.message()).contains("names no nameserver");
    }
}
