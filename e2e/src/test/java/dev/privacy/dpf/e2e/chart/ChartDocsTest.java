package dev.privacy.dpf.e2e.chart;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.privacy.dpf.operator.OperatorConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * docs/operations.md keeps up with the chart: every value in its table, its quoted messages true.
 */
class ChartDocsTest {
  static final String DOC = "docs/operations.md";

  /** Values passed to Kubernetes as they are: documented as one entry. */
  static final Set<String> WHOLE = Set.of("resources", "podSecurityContext", "securityContext");

  @Test
  void everyValueOfTheChartIsInTheTableOfOperationsMd() throws IOException {
    String doc = Files.readString(Chart.ROOT.resolve(DOC));
    Map<String, Object> values = Chart.parse(Files.readString(Chart.DIR.resolve("values.yaml")));
    List<String> keys = new ArrayList<>();
    leaves("", values, keys);
    assertThat(keys).hasSizeGreaterThan(40);
    assertThat(keys)
        .as("values without a row in the table of %s", DOC)
        .allMatch(k -> doc.contains("| `" + k + "` |"));
  }

  @Test
  void everyOperatorFlagIsInTheSettingsTable() throws IOException {
    String doc = Files.readString(Chart.ROOT.resolve(DOC));
    assertThat(OperatorConfig.flagDefaults().keySet())
        .as("flags without a row in the settings table of %s", DOC)
        .allMatch(f -> doc.contains("| `--" + f + "` |"));
  }

  @Test
  void theQuotedSchemaMessageIsWhatHelmSays() throws IOException {
    String doc = Files.readString(Chart.ROOT.resolve(DOC));
    Matcher m = Pattern.compile("`(- at '/operator/deniedPods'[^`]*)`").matcher(doc);
    assertThat(m.find()).as("%s quotes the message for a bad operator.deniedPods", DOC).isTrue();
    Throwable refused =
        catchThrowable(
            () -> Chart.template("dpf-operator", "dpf-system", "operator: {deniedPods: evict}"));
    assertThat(refused).hasMessageContaining(m.group(1));
  }

  @SuppressWarnings("unchecked")
  private static void leaves(String prefix, Map<String, Object> map, List<String> out) {
    for (Map.Entry<String, Object> e : map.entrySet()) {
      String key = prefix.isEmpty() ? e.getKey() : prefix + "." + e.getKey();
      if (e.getValue() instanceof Map<?, ?> m && !m.isEmpty() && !WHOLE.contains(key)) {
        leaves(key, (Map<String, Object>) m, out);
      } else {
        out.add(key);
      }
    }
  }
}
