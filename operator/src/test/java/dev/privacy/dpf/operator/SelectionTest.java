package dev.privacy.dpf.operator;

import static org.assertj.core.api.Assertions.assertThat;

import dev.privacy.dpf.crds.BlockSelection;
import dev.privacy.dpf.crds.PrivateBlock;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Block selection, including set-based selectors (which the mock API server ignores). */
class SelectionTest {

  static PrivateBlock block(String ns, String name, String labels, String window, String allowed) {
    return Serialization.unmarshal(
        "apiVersion: dpf.privacy.dev/v1alpha1\nkind: PrivateBlock\nmetadata: {name: "
            + name
            + ", namespace: "
            + ns
            + ", labels: "
            + labels
            + "}\nspec: {dataset: clicks, budget: {epsilon: 1.0, delta: 1.0e-6}"
            + (window == null ? "" : ", window: " + window)
            + (allowed == null ? "" : ", allowedNamespaces: " + allowed)
            + "}",
        PrivateBlock.class);
  }

  static BlockSelection sel(String yaml) {
    try {
      return Serialization.yamlMapper().readValue(yaml, BlockSelection.class);
    } catch (java.io.IOException e) {
      throw new IllegalArgumentException(e);
    }
  }

  final List<PrivateBlock> blocks =
      List.of(
          block(
              "ml",
              "d1",
              "{region: eu}",
              "{start: '2026-11-01T00:00:00Z', end: '2026-11-02T00:00:00Z'}",
              null),
          block(
              "ml",
              "d2",
              "{region: us}",
              "{start: '2026-11-02T00:00:00Z', end: '2026-11-03T00:00:00Z'}",
              null),
          block(
              "ml",
              "d3",
              "{region: eu, tier: gold}",
              "{start: '2026-11-03T00:00:00Z', end: '2026-11-04T00:00:00Z'}",
              null),
          block("data", "shared", "{}", null, "[ml]"),
          block("data", "private", "{}", null, null));

  @Test
  void selectorsWindowsAndLatest() {
    assertThat(Selection.select("ml", sel("{dataset: clicks}"), blocks).ids())
        .containsExactly("ml/d1", "ml/d2", "ml/d3");
    assertThat(
            Selection.select(
                    "ml",
                    sel(
                        "{dataset: clicks, selector: {matchExpressions: [{key: region, operator: In, values: [eu]}]}}"),
                    blocks)
                .ids())
        .containsExactly("ml/d1", "ml/d3");
    assertThat(
            Selection.select(
                    "ml",
                    sel(
                        "{dataset: clicks, selector: {matchExpressions: [{key: tier, operator: DoesNotExist}, {key: region, operator: NotIn, values: [us]}]}}"),
                    blocks)
                .ids())
        .containsExactly("ml/d1");
    assertThat(
            Selection.select(
                    "ml",
                    sel(
                        "{dataset: clicks, window: {from: '2026-11-01T12:00:00Z', to: '2026-11-02T12:00:00Z'}}"),
                    blocks)
                .ids())
        .containsExactly("ml/d1", "ml/d2");
    assertThat(Selection.select("ml", sel("{dataset: clicks, latest: 2}"), blocks).ids())
        .containsExactly("ml/d2", "ml/d3");
    assertThat(Selection.select("ml", sel("{dataset: clicks, names: [d3, d1]}"), blocks).ids())
        .containsExactly("ml/d3", "ml/d1");
  }

  @Test
  void otherNamespacesOnlyWhenTheyAllowIt() {
    assertThat(
            Selection.select(
                    "ml", sel("{dataset: clicks, namespace: data, names: [shared]}"), blocks)
                .ids())
        .containsExactly("data/shared");
    Selection.Result all =
        Selection.select("ml", sel("{dataset: clicks, namespace: data}"), blocks);
    assertThat(all.ids()).containsExactly("data/shared"); // private is simply not seen
    Selection.Result named =
        Selection.select("ml", sel("{dataset: clicks, namespace: data, names: [private]}"), blocks);
    assertThat(named.denial()).isEqualTo("Forbidden");
    assertThat(named.message()).contains("private").contains("allowedNamespaces");
    Selection.Result other =
        Selection.select("ads", sel("{dataset: clicks, namespace: data}"), blocks);
    assertThat(other.denial()).isEqualTo("Forbidden");
  }

  @Test
  void nothingMatchingSaysWhatWasLookedFor() {
    Selection.Result r = Selection.select("ml", sel("{dataset: views}"), blocks);
    assertThat(r.denial()).isEqualTo("NoMatchingBlocks");
    assertThat(r.message()).contains("views").contains("ml");
    Selection.Result missing =
        Selection.select("ml", sel("{dataset: clicks, names: [d1, d9]}"), blocks);
    assertThat(missing.denial()).isEqualTo("NoMatchingBlocks");
    assertThat(missing.message()).contains("d9");
  }

  @Test
  void labelSelectorSemantics() {
    var s =
        sel("{dataset: x, selector: {matchLabels: {a: '1'}, matchExpressions: [{key: b, operator: Exists}]}}")
            .getSelector();
    assertThat(Selection.matches(s, Map.of("a", "1", "b", ""))).isTrue();
    assertThat(Selection.matches(s, Map.of("a", "1"))).isFalse();
    assertThat(Selection.matches(s, Map.of("a", "2", "b", "x"))).isFalse();
    assertThat(Selection.matches(s, null)).isFalse();
  }
}
