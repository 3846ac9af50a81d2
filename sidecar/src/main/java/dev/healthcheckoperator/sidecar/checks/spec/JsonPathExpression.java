package dev.healthcheckoperator.sidecar.checks.spec;

import com.fasterxml.jackson.core.JsonPointer;

/**
 * The small JSONPath subset that health bodies need: {@code $}, {@code .field}, {@code ['field']} and
 * {@code [index]}. It is translated to a Jackson {@link JsonPointer}, so evaluation costs nothing extra.
 */
public final class JsonPathExpression {

    private JsonPathExpression() {
    }

    /** @throws IllegalArgumentException naming the position of the first thing it cannot read */
    public static JsonPointer toPointer(String path) {
        if (path == null || !path.startsWith("$")) {
            throw new IllegalArgumentException("must start with '$', e.g. $.status");
        }
        StringBuilder pointer = new StringBuilder();
        int i = 1;
        while (i < path.length()) {
            char c = path.charAt(i);
            if (c == '.') {
                int end = i + 1;
                while (end < path.length() && path.charAt(end) != '.' && path.charAt(end) != '[') {
                    end++;
                }
                if (end == i + 1) {
                    throw new IllegalArgumentException("empty field name at position " + i);
                }
                appendSegment(pointer, path.substring(i + 1, end));
                i = end;
            } else if (c == '[') {
                int close = path.indexOf(']', i);
                if (close < 0) {
                    throw new IllegalArgumentException("'[' at position " + i + " is never closed");
                }
                String inside = path.substring(i + 1, close).trim();
                if (inside.length() >= 2 && (inside.startsWith("'") && inside.endsWith("'")
                        || inside.startsWith("\"") && inside.endsWith("\""))) {
                    appendSegment(pointer, inside.substring(1, inside.length() - 1));
                } else if (inside.matches("\\d+")) {
                    pointer.append('/').append(inside);
                } else {
                    throw new IllegalArgumentException("'[" + inside + "]' at position " + i
                            + " is neither an index nor a quoted field name");
                }
                i = close + 1;
            } else {
                throw new IllegalArgumentException("unexpected '" + c + "' at position " + i);
            }
        }
        return JsonPointer.compile(pointer.toString());
    }

    private static void appendSegment(StringBuilder pointer, String field) {
        pointer.append('/').append(field.replace("~", "~0").replace("/", "~1"));
    }
}
