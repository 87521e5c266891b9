package dev.privacy.dpf.sched;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** The linear-time tree map a pass builds its sorted maps with. */
class SortedMapsTest {

  @Test
  void buildsTheSameMapAsPuttingEachEntry() {
    String[] keys = {"a", "b", "c", "d", "e", "f", "g", "unused"};
    Integer[] values = {1, 2, 3, 4, 5, 6, 7, 8};
    TreeMap<String, Integer> built = SortedMaps.ofSorted(keys, values, 7);
    TreeMap<String, Integer> expected = new TreeMap<>();
    for (int i = 0; i < 7; i++) {
      expected.put(keys[i], values[i]);
    }
    assertThat(built).isEqualTo(expected);
    assertThat(built.comparator()).isNull();
    assertThat(built.firstKey()).isEqualTo("a");
    assertThat(built.lastKey()).isEqualTo("g");
    assertThat(built.get("d")).isEqualTo(4);
    assertThat(built.headMap("c")).containsOnlyKeys("a", "b");
    built.put("cc", 9); // a real tree: it keeps working after the build
    assertThat(built.keySet()).containsExactly("a", "b", "c", "cc", "d", "e", "f", "g");
  }

  @Test
  void buildsAnEmptyMap() {
    assertThat(SortedMaps.ofSorted(new String[0], new Integer[0], 0)).isEmpty();
  }

  @Test
  void refusesKeysOutOfOrderOrRepeated() {
    assertThatThrownBy(() -> SortedMaps.ofSorted(new String[] {"a", "c", "b"}, new Integer[3], 3))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("at 2: c, b");
    assertThatThrownBy(() -> SortedMaps.ofSorted(new String[] {"a", "a"}, new Integer[2], 2))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
