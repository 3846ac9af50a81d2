package dev.healthcheckoperator.sidecar.checks.spec;

/**
 * What a header value may hold, whether it is written in the checks file or read from a mounted Secret: ASCII
 * visible characters, spaces and tabs (RFC 9110 field values, without the obsolete non-ASCII ones). A control
 * character would make the request fail to build, or split it. The problem describes the value by length and
 * position only, never by its content, since a value read from a Secret must not reach a message.
 */
public final class HeaderValue {

    public static final int MAX_LENGTH = 4096;

    private HeaderValue() {
    }

    /** Why {@code value} cannot be sent, or null when it can. */
    public static String problem(String value) {
        if (value.length() > MAX_LENGTH) {
            return "at most " + MAX_LENGTH + " characters, got " + value.length();
        }
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c != '\t' && (c < 0x20 || c > 0x7E)) {
                return String.format("%s U+%04X at position %d; a header value holds only visible ASCII "
                        + "characters, spaces and tabs", c < 0x20 || c == 0x7F ? "control character" : "non-ASCII "
                        + "character", (int) c, i);
            }
        }
        return null;
    }
}
