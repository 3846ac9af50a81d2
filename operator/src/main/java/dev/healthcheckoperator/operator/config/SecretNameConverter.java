package dev.healthcheckoperator.operator.config;

import java.util.regex.Pattern;

import org.eclipse.microprofile.config.spi.Converter;

/**
 * A Secret name as the API server accepts it (a DNS-1123 subdomain), checked when the operator starts: a name that
 * could never exist is a configuration error to report at once, not a pull that fails later on every node.
 */
public class SecretNameConverter implements Converter<String> {

    private static final int MAX_LENGTH = 253;
    private static final Pattern DNS_SUBDOMAIN =
            Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*");

    @Override
    public String convert(String value) {
        String name = value.strip();
        if (name.length() > MAX_LENGTH || !DNS_SUBDOMAIN.matcher(name).matches()) {
            throw new IllegalArgumentException("not a Secret name: '" + name + "' (lower-case letters, digits, '-' "
                    + "and '.', starting and ending with a letter or digit, at most " + MAX_LENGTH + " characters)");
        }
        return name;
    }
}
