package dev.healthcheckoperator.operator.cache;

/**
 * Hands out one instance for equal short strings, as far as it remembers them: a fixed table of slots, one string
 * each, chosen by hash, where a miss replaces what the slot held. The informer caches hold thousands of copies of
 * the same values, one per object: an owner's kind and apiVersion, label values, the sidecar's image, probe paths,
 * port names and protocols, pull and restart policies. Shared, each costs its 40 to 60 bytes once. (Map keys are
 * field names to the parser, which has one instance of each already.)
 * <p>
 * Unlike {@link String#intern()} it never grows and keeps nothing alive beyond its slots: the values that are unique
 * per object (names, UIDs, resourceVersions, timestamps) only pass through, and a value that recurs in every object
 * wins its slot back on its next read. Lossy by design: two recurring values with the same slot take it from each
 * other, and a value whose slot a unique one took is a copy until then. The slots are plain array elements, read and
 * written without locks: a thread that misses another's write only makes a copy more, and a String is safe to
 * publish that way.
 */
public final class SharedStrings {

    /** Longer values are rarely shared (certificates, scripts, messages) and would cost their hashing. */
    static final int MAX_LENGTH = 128;
    private static final int SLOTS = 1 << 14;

    private final String[] slots = new String[SLOTS];

    /** An instance equal to this value, the one already handed out when there is one. */
    public String share(String value) {
        if (value == null || value.length() > MAX_LENGTH) {
            return value;
        }
        int hash = value.hashCode();
        int slot = (hash ^ (hash >>> 16)) & (SLOTS - 1);
        String held = slots[slot];
        if (value.equals(held)) {
            return held;
        }
        slots[slot] = value;
        return value;
    }
}
