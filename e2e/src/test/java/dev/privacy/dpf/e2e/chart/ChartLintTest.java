package dev.privacy.dpf.e2e.chart;

import static org.assertj.core.api.Assertions.assertThat;

import com.marcnuri.helm.LintResult;
import org.junit.jupiter.api.Test;

/** {@code helm lint --strict}: the chart is well formed and its default values pass the schema. */
class ChartLintTest {

  @Test
  void theChartPassesStrictLint() {
    LintResult r = Chart.helm().lint().strict().call();
    assertThat(r.isFailed()).as("helm lint --strict: %s", r.getMessages()).isFalse();
    assertThat(r.getMessages()).noneMatch(m -> m.contains("[ERROR]") || m.contains("[WARNING]"));
  }
}
