package dev.healthcheckoperator.operator.cache;

import java.util.AbstractMap;
import java.util.AbstractSet;
import java.util.Iterator;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Set;

/**
 * A field set of {@code managedFields[].fieldsV1} (nested maps whose keys name fields, list items and values, and
 * whose leaves are empty maps) held in the least memory that keeps it readable as the maps it was parsed into:
 * keys and values in two arrays in their original order, keys interned (every Deployment of the operator
 * names the same fields; the parser may have shared them already), and one shared empty map for all leaves. Parsed,
 * the same set is a LinkedHashMap per level, an entry object per key, a map per leaf, and an entry set cached in
 * each map once the server-side-apply matcher has walked it (BENCHMARKS.md, "The owned-object caches ...").
 *
 * <p>Read-only: the server-side-apply matcher only reads a field set, and a cached object must not change under the
 * informer. Lookups scan the keys; a level has a handful of them and the matcher iterates rather than looks up.
 */
public final class CompactFieldSet extends AbstractMap<String, Object> {

    private final String[] keys;
    private final Object[] values;

    private CompactFieldSet(String[] keys, Object[] values) {
        this.keys = keys;
        this.values = values;
    }

    /**
     * The compact form of a parsed field set, level by level; anything that is not a map (fieldsV1 holds none) is
     * returned as it is.
     */
    public static Object compact(Object value) {
        if (!(value instanceof Map<?, ?> map)) {
            return value;
        }
        if (map.isEmpty()) {
            return Map.of();
        }
        String[] keys = new String[map.size()];
        Object[] values = new Object[map.size()];
        int i = 0;
        for (Map.Entry<?, ?> entry : map.entrySet()) {
            keys[i] = String.valueOf(entry.getKey()).intern();
            values[i] = compact(entry.getValue());
            i++;
        }
        return new CompactFieldSet(keys, values);
    }

    @Override
    public int size() {
        return keys.length;
    }

    @Override
    public boolean containsKey(Object key) {
        return indexOf(key) >= 0;
    }

    @Override
    public Object get(Object key) {
        int i = indexOf(key);
        return i < 0 ? null : values[i];
    }

    private int indexOf(Object key) {
        for (int i = 0; i < keys.length; i++) {
            if (keys[i].equals(key)) {
                return i;
            }
        }
        return -1;
    }

    @Override
    public Set<Map.Entry<String, Object>> entrySet() {
        return new AbstractSet<>() {
            @Override
            public int size() {
                return keys.length;
            }

            @Override
            public Iterator<Map.Entry<String, Object>> iterator() {
                return new Iterator<>() {
                    private int next;

                    @Override
                    public boolean hasNext() {
                        return next < keys.length;
                    }

                    @Override
                    public Map.Entry<String, Object> next() {
                        if (next >= keys.length) {
                            throw new NoSuchElementException();
                        }
                        Map.Entry<String, Object> entry = new SimpleImmutableEntry<>(keys[next], values[next]);
                        next++;
                        return entry;
                    }
                };
            }
        };
    }
}
