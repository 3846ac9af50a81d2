package dev.healthcheckoperator.sidecar.diagnostics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BearerTokenTest {

    private static final String FIRST = "first-token-0123456789";
    private static final String SECOND = "second-token-0123456789";

    @TempDir
    Path dir;

    private static byte[] bytes(String token) {
        return token.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void aRotatedFileReplacesTheTokenAndABrokenOneKeepsIt() throws Exception {
        Path file = Files.writeString(dir.resolve("token"), FIRST + "\n");
        BearerToken token = BearerToken.load(Optional.of(file), Optional.empty());
        assertThat(token.reloadable()).isTrue();
        assertThat(token.matches(bytes(FIRST))).isTrue();

        Files.writeString(file, SECOND);
        token.reload();
        assertThat(token.matches(bytes(SECOND))).isTrue();
        assertThat(token.matches(bytes(FIRST))).isFalse();

        Files.writeString(file, "short");
        token.reload();
        assertThat(token.matches(bytes(SECOND))).as("too short to be a token: the previous one stays").isTrue();
        assertThat(token.matches(bytes("short"))).isFalse();

        Files.writeString(file, "x".repeat(BearerToken.MAX_FILE_BYTES + 1));
        token.reload();
        assertThat(token.matches(bytes(SECOND))).as("an oversized file is not read as a token").isTrue();

        Files.delete(file);
        token.reload();
        assertThat(token.matches(bytes(SECOND))).as("a vanished file keeps the token").isTrue();
    }

    @Test
    void noValidTokenStopsTheStart() throws Exception {
        assertThatThrownBy(() -> BearerToken.load(Optional.empty(), Optional.of("too-short")))
                .hasMessageContaining("no bearer token of at least 16 characters")
                .hasMessageContaining("SIDECAR_DIAGNOSTICS_TOKEN_FILE");
        assertThatThrownBy(() -> BearerToken.load(Optional.of(dir.resolve("absent")), Optional.empty()))
                .hasMessageContaining("sidecar.diagnostics.token-file: cannot read");
        Path huge = Files.writeString(dir.resolve("huge"), "y".repeat(BearerToken.MAX_FILE_BYTES + 1));
        assertThatThrownBy(() -> BearerToken.load(Optional.of(huge), Optional.empty()))
                .hasMessageContaining("larger than 4096 bytes");
        BearerToken fixed = BearerToken.load(Optional.empty(), Optional.of(FIRST));
        assertThat(fixed.reloadable()).isFalse();
        assertThat(fixed.matches(bytes(FIRST))).isTrue();
    }
}
