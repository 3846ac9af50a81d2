package dev.healthcheckoperator.operator.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;

/**
 * The system properties of the operator image's JVM (operator/jvm.options) are set for the tests too (the surefire
 * configuration in operator/pom.xml), so what the tests show of the poller holds for the shipped JVM.
 */
class ShippedJvmOptionsTest {

    @Test
    void theTestsRunWithTheShippedSystemProperties() throws IOException {
        List<String> properties = Files.readAllLines(Path.of("jvm.options")).stream().map(String::strip)
                .filter(line -> line.startsWith("-D")).toList();
        assertFalse(properties.isEmpty(), "operator/jvm.options sets no system property");
        for (String property : properties) {
            String[] keyAndValue = property.substring(2).split("=", 2);
            assertEquals(keyAndValue[1], System.getProperty(keyAndValue[0]), property);
        }
    }
}
