package dev.privacy.dpf.sched;

import java.util.AbstractMap;
import java.util.AbstractSet;
import java.util.Comparator;
import java.util.Iterator;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Builds a {@link TreeMap} from keys already in ascending natural order in linear time. {@code
 * TreeMap.putAll} of an empty map from a {@link SortedMap} with the same comparator builds the tree
 * directly from the entries, without comparing keys; {@code put} one by one would cost {@code log
 * n} string comparisons per key (for the 100,000 grants of a pass, a good part of the pass).
 */
final class SortedMaps {

  private SortedMaps() {}

  /**
   * A tree map of {@code keys[i] -> values[i]} for {@code i < n}.
   *
   * @throws IllegalArgumentException if the keys are not strictly ascending
   */
  static <K extends Comparable<? super K>, V> TreeMap<K, V> ofSorted(K[] keys, V[] values, int n) {
    for (int i = 1; i < n; i++) {
      if (keys[i - 1].compareTo(keys[i]) >= 0) {
        throw new IllegalArgumentException(
            "keys not strictly ascending at " + i + ": " + keys[i - 1] + ", " + keys[i]);
      }
    }
    TreeMap<K, V> m = new TreeMap<>();
    m.putAll(new ArrayView<>(keys, values, n));
    return m;
  }

  /** The entries of two arrays seen as a sorted map: just enough for {@code TreeMap.putAll}. */
  private static final class ArrayView<K, V> extends AbstractMap<K, V> implements SortedMap<K, V> {
    private final K[] keys;
    private final V[] values;
    private final int n;

    ArrayView(K[] keys, V[] values, int n) {
      this.keys = keys;
      this.values = values;
      this.n = n;
    }

    @Override
    public int size() {
      return n;
    }

    @Override
    public Comparator<? super K> comparator() {
      return null;
    }

    @Override
    public Set<Map.Entry<K, V>> entrySet() {
      return new AbstractSet<>() {
        @Override
        public int size() {
          return n;
        }

        @Override
        public Iterator<Map.Entry<K, V>> iterator() {
          return new Iterator<>() {
            private int i;

            @Override
            public boolean hasNext() {
              return i < n;
            }

            @Override
            public Map.Entry<K, V> next() {
              if (i >= n) {
                throw new NoSuchElementException();
              }
              Map.Entry<K, V> e = new SimpleImmutableEntry<>(keys[i], values[i]);
              i++;
              return e;
            }
          };
        }
      };
    }

    @Override
    public SortedMap<K, V> subMap(K fromKey, K toKey) {
      throw new UnsupportedOperationException();
    }

    @Override
    public SortedMap<K, V> headMap(K toKey) {
      throw new UnsupportedOperationException();
    }

    @Override
    public SortedMap<K, V> tailMap(K fromKey) {
      throw new UnsupportedOperationException();
    }

    @Override
    public K firstKey() {
      throw new UnsupportedOperationException();
    }

    @Override
    public K lastKey() {
      throw new UnsupportedOperationException();
    }
  }
}
