package dev.privacy.dpf.crds;

import static org.assertj.core.api.Assertions.assertThat;

import dev.privacy.dpf.crds.build.CrdPostProcessor;
import io.fabric8.kubernetes.client.CustomResource;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * The CRDs in the Helm chart are the ones generated from the Java types, byte for byte. When the
 * types change, refresh the chart's copies with {@code ./mvnw -pl dpf-algorithm,crds install
 * -Ddpf.updateChartCrds=true} and commit them.
 */
class PublishedCrdsTest {

  static final Path CHART_CRDS = Path.of("..", "helm", "dpf-operator", "crds");

  @Test
  void chartHoldsTheGeneratedCrds() throws IOException {
    boolean update = Boolean.getBoolean("dpf.updateChartCrds");
    for (Class<? extends CustomResource<?, ?>> type : CrdPostProcessor.RESOURCES) {
      String name = CustomResource.getCRDName(type);
      String generated = generated(name);
      Path copy = CHART_CRDS.resolve(name + ".yaml");
      if (update) {
        Files.createDirectories(CHART_CRDS);
        Files.writeString(copy, generated);
      }
      assertThat(Files.exists(copy))
          .as(
              "%s is missing: run ./mvnw -pl dpf-algorithm,crds install -Ddpf.updateChartCrds=true",
              copy)
          .isTrue();
      assertThat(Files.readString(copy))
          .as(
              "%s differs from the CRD generated from the Java types: run ./mvnw -pl"
                  + " dpf-algorithm,crds install -Ddpf.updateChartCrds=true and commit it",
              copy)
          .isEqualTo(generated);
    }
  }

  @Test
  void printerColumnsAreInDeclaredOrder() throws IOException {
    assertThat(generated("privateblocks.dpf.privacy.dev"))
        .containsSubsequence(
            "name: Dataset",
            "name: Epsilon",
            "name: Delta",
            "name: Remaining",
            "name: Consumed",
            "name: Phase",
            "name: Age");
    assertThat(generated("privacyclaims.dpf.privacy.dev"))
        .containsSubsequence(
            "name: Phase",
            "name: Blocks",
            "name: Epsilon",
            "name: Share",
            "name: Reason",
            "name: Age");
  }

  @Test
  void crdsAreNamespacedWithStatusAndShortNames() throws IOException {
    for (String[] c :
        new String[][] {
          {"privateblocks.dpf.privacy.dev", "pb"}, {"privacyclaims.dpf.privacy.dev", "pcl"}
        }) {
      String y = generated(c[0]);
      assertThat(y).contains("scope: Namespaced").contains("status: {}").contains("- " + c[1]);
      assertThat(y).contains("group: dpf.privacy.dev").contains("name: v1alpha1");
    }
  }

  static String generated(String crdName) throws IOException {
    try (InputStream in =
        PublishedCrdsTest.class.getResourceAsStream("/META-INF/fabric8/" + crdName + "-v1.yml")) {
      assertThat(in).as("generated CRD %s on the classpath", crdName).isNotNull();
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }
}
