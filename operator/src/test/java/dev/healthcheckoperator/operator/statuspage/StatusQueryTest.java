package dev.healthcheckoperator.operator.statuspage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import dev.healthcheckoperator.operator.crd.v1alpha1.Health;

class StatusQueryTest {

    @Test
    void defaultsWhenNothingIsAsked() {
        StatusQuery query = StatusQuery.parse(Map.of(), 100, 500);
        assertEquals(100, query.limit());
        assertEquals(Optional.empty(), query.after());
        assertEquals(Optional.empty(), query.namespace());
        assertEquals(EnumSet.allOf(Health.class), query.health());
    }

    @Test
    void readsEveryParameter() {
        String token = StatusQuery.continueAfter(new StatusQuery.Key("shop", "checkout.v2"));
        StatusQuery query = StatusQuery.parse(Map.of("limit", List.of("500"), "continue", List.of(token),
                "namespace", List.of("shop"), "health", List.of("Unhealthy, Degraded")), 100, 500);
        assertEquals(500, query.limit());
        assertEquals(Optional.of(new StatusQuery.Key("shop", "checkout.v2")), query.after());
        assertEquals(Optional.of("shop"), query.namespace());
        assertEquals(EnumSet.of(Health.Unhealthy, Health.Degraded), query.health());
    }

    @ParameterizedTest(name = "{0}={1}: {2}")
    @CsvSource({
            "limit, 0, limit",
            "limit, 501, limit",
            "limit, -5, limit",
            "limit, ten, limit",
            "limit, 99999999999999, limit",
            "limit, '', limit",
            "continue, '!!!', continue",
            // Valid base64 of something that is not namespace/name.
            "continue, bm90LWEta2V5, continue",
            "continue, Lw, continue",
            "namespace, Shop_1, namespace",
            "namespace, a-namespace-name-that-is-much-longer-than-sixty-three-characters-allowed, namespace",
            "health, Sick, health",
            "health, 'Healthy,', health",
            "health, healthy, health",
            "namepsace, shop, namepsace",
            "page, 2, page"
    })
    void refusesABadParameterByName(String name, String value, String parameter) {
        BadParameterException e = assertThrows(BadParameterException.class,
                () -> StatusQuery.parse(Map.of(name, List.of(value)), 100, 500));
        assertEquals(parameter, e.parameter());
        assertTrue(e.getMessage().contains(parameter), e.getMessage());
    }

    @Test
    void refusesARepeatedParameter() {
        BadParameterException e = assertThrows(BadParameterException.class,
                () -> StatusQuery.parse(Map.of("namespace", List.of("a", "b")), 100, 500));
        assertEquals("namespace", e.parameter());
    }

    @Test
    void echoesAtMostALittleOfALongValue() {
        BadParameterException e = assertThrows(BadParameterException.class,
                () -> StatusQuery.parse(Map.of("health", List.of("x".repeat(100_000))), 100, 500));
        assertTrue(e.getMessage().length() < 300, e.getMessage());
    }

    @Test
    void refusesAnOverlongContinueUnread() {
        assertThrows(BadParameterException.class,
                () -> StatusQuery.parse(Map.of("continue", List.of("A".repeat(10_000))), 100, 500));
    }
}
