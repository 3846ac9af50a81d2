package dev.healthcheckoperator.operator.health;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;

import dev.healthcheckoperator.operator.crd.v1alpha1.Health;

class SidecarReportParserTest {

    @Test
    void okIsHealthy() {
        HealthReport report = parse(200, """
                {"status":"ok","timestamp":"2026-01-01T00:00:00Z","checks":[
                  {"name":"api","status":"ok","critical":true,"latencyMs":3,"consecutiveFailures":0}]}""");
        assertEquals(Health.Healthy, report.health());
        assertEquals(new CheckReport("api", true, "Passing", null), report.checks().get(0));
    }

    @Test
    void degradedNamesTheFailingChecks() {
        HealthReport report = parse(200, """
                {"status":"degraded","checks":[{"name":"api","status":"ok"},
                  {"name":"cache","status":"failing","reason":"Timeout","message":"no answer in 2s"}]}""");
        assertEquals(Health.Degraded, report.health());
        assertEquals("failing: cache", report.message());
        assertEquals(new CheckReport("cache", false, "Timeout", "no answer in 2s"), report.checks().get(1));
    }

    @Test
    void downIsUnhealthyAndUnknownChecksHaveNoVerdict() {
        HealthReport report = parse(503, """
                {"status":"down","checks":[{"name":"db","status":"failing"},{"name":"rpc","status":"unknown"}]}""");
        assertEquals(Health.Unhealthy, report.health());
        assertEquals("CriticalChecksFailing", report.reason());
        assertEquals("Failing", report.checks().get(0).reason());
        assertNull(report.checks().get(1).healthy());
        assertEquals("Pending", report.checks().get(1).reason());
    }

    @Test
    void anUndecidedCriticalCheckIsUnknownPendingNeverHealthy() {
        HealthReport report = parse(503, """
                {"status":"unknown","checks":[{"name":"api","status":"unknown","critical":true,"reason":"Timeout",
                  "message":"no answer within 1s","consecutiveFailures":1},
                  {"name":"cache","status":"ok","critical":false,"reason":"Succeeded"}]}""");
        assertEquals(Health.Unknown, report.health());
        assertEquals("Pending", report.reason());
        assertEquals("not decided yet: api", report.message());
        assertNull(report.checks().get(0).healthy());
        assertEquals("Timeout", report.checks().get(0).reason());
        assertNull(report.checks().get(0).message(), "only a failing check carries its message into the status");
        assertEquals(Boolean.TRUE, report.checks().get(1).healthy());
    }

    @Test
    void sameSituationDifferentTimingsCompareEqual() {
        String first = """
                {"status":"down","timestamp":"2026-01-01T00:00:00Z","checks":[{"name":"db","status":"failing",
                 "reason":"ConnectionRefused","message":"refused","latencyMs":1,"consecutiveFailures":4,
                 "lastSuccess":"2026-01-01T00:00:00Z"}]}""";
        String second = first.replace("\"latencyMs\":1", "\"latencyMs\":7").replace("\"consecutiveFailures\":4",
                "\"consecutiveFailures\":5").replace("00:00:00Z\",\"checks", "00:00:10Z\",\"checks");
        assertEquals(parse(503, first), parse(503, second));
    }

    @Test
    void aNonReportIsUnknown() {
        HealthReport report = parse(502, "<html>Bad Gateway</html>");
        assertEquals(Health.Unknown, report.health());
        assertEquals("UnexpectedResponse", report.reason());
        assertTrue(report.message().contains("502"));
        assertEquals(Health.Unknown, parse(200, "{\"status\":\"sideways\"}").health());
        assertEquals(Health.Unknown, parse(200, "[]").health());
    }

    @Test
    void longMessagesAreCut() {
        HealthReport report = parse(200, "{\"status\":\"degraded\",\"checks\":[{\"name\":\"a\",\"status\":\"failing\","
                + "\"message\":\"" + "x".repeat(5000) + "\"}]}");
        assertEquals(SidecarReportParser.MAX_MESSAGE_LENGTH, report.checks().get(0).message().length());
    }

    @Test
    void flappingIsReadOnlyFromAJsonTrue() {
        HealthReport report = parse(503, """
                {"status":"down","checks":[
                  {"name":"a","status":"failing","flapping":true},
                  {"name":"b","status":"ok","flapping":false},
                  {"name":"c","status":"ok"},
                  {"name":"d","status":"ok","flapping":"true"},
                  {"name":"e","status":"ok","flapping":1}]}""");
        assertEquals(List.of(true, false, false, false, false),
                report.checks().stream().map(CheckReport::flapping).toList());
    }

    private static HealthReport parse(int code, String body) {
        return SidecarReportParser.parse(new SidecarResponse(code, body));
    }
}
