package dev.healthcheckoperator.sidecar.checks.spec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

class JsonPathExpressionTest {

    private final JsonNode body;

    JsonPathExpressionTest() throws Exception {
        body = new ObjectMapper().readTree("""
                {"status":"UP","checks":[{"name":"db","state":"DOWN"}],"a/b":{"x~y":1},"ok":true}
                """);
    }

    private String at(String path) {
        return body.at(JsonPathExpression.toPointer(path)).asText();
    }

    @Test
    void readsFieldsIndexesAndQuotedNames() {
        assertThat(at("$.status")).isEqualTo("UP");
        assertThat(at("$.checks[0].state")).isEqualTo("DOWN");
        assertThat(at("$['checks'][0]['name']")).isEqualTo("db");
        assertThat(at("$['a/b'][\"x~y\"]")).isEqualTo("1");
        assertThat(at("$.ok")).isEqualTo("true");
        assertThat(body.at(JsonPathExpression.toPointer("$.missing")).isMissingNode()).isTrue();
        assertThat(body.at(JsonPathExpression.toPointer("$")).isObject()).isTrue();
    }

    @Test
    void refusesWhatItCannotRead() {
        assertThatThrownBy(() -> JsonPathExpression.toPointer("status")).hasMessageContaining("must start with '$'");
        assertThatThrownBy(() -> JsonPathExpression.toPointer("$..status")).hasMessageContaining("empty field name at position 1");
        assertThatThrownBy(() -> JsonPathExpression.toPointer("$.a[0")).hasMessageContaining("never closed");
        assertThatThrownBy(() -> JsonPathExpression.toPointer("$.a[*]")).hasMessageContaining("neither an index");
        assertThatThrownBy(() -> JsonPathExpression.toPointer("$x")).hasMessageContaining("unexpected 'x' at position 1");
    }
}
