package dev.privacy.dpf.crds;

import static org.assertj.core.api.Assertions.assertThat;

import dev.privacy.dpf.crds.validation.ResourceValidator;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.KubernetesResource;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** Every file under {@code examples/} parses into our types and passes the validator. */
class ExamplesTest {

  static final Path EXAMPLES = Path.of("..", "examples");

  static List<HasMetadata> load(Path file) throws IOException {
    try (InputStream in = Files.newInputStream(file)) {
      Object parsed = Serialization.unmarshal(in);
      List<HasMetadata> out = new ArrayList<>();
      if (parsed instanceof List<?> list) {
        list.forEach(o -> out.add((HasMetadata) o));
      } else if (parsed instanceof KubernetesResource) {
        out.add((HasMetadata) parsed);
      }
      return out;
    }
  }

  static List<Path> files() throws IOException {
    try (Stream<Path> s = Files.list(EXAMPLES)) {
      return s.filter(p -> p.toString().endsWith(".yaml")).sorted().toList();
    }
  }

  @Test
  void everyExampleParsesAndIsValid() throws IOException {
    List<Path> files = files();
    assertThat(files).hasSizeGreaterThanOrEqualTo(10);
    ResourceValidator validator = new ResourceValidator();
    int blocks = 0;
    int claims = 0;
    java.util.Set<String> claimNames = new java.util.HashSet<>();
    List<String> jobClaims = new ArrayList<>();
    for (Path f : files) {
      List<HasMetadata> objects = load(f);
      assertThat(objects).as("objects in %s", f).isNotEmpty();
      for (HasMetadata o : objects) {
        assertThat(o)
            .as("%s: %s is a known kind", f, o.getKind())
            .isNotInstanceOf(GenericKubernetesResource.class);
        if (o instanceof PrivateBlock b) {
          assertThat(validator.validate(b)).as("%s: %s", f, b.getMetadata().getName()).isEmpty();
          blocks++;
        } else if (o instanceof PrivacyClaim c) {
          assertThat(validator.validate(c)).as("%s: %s", f, c.getMetadata().getName()).isEmpty();
          claimNames.add(c.getMetadata().getName());
          claims++;
        } else if (o instanceof Job j) {
          assertThat(j.getSpec().getTemplate().getMetadata().getLabels())
              .as("%s: the Job's pod template opts in with the claim label", f)
              .containsKey(DpfApi.LABEL_CLAIM);
          jobClaims.add(
              j.getSpec().getTemplate().getMetadata().getLabels().get(DpfApi.LABEL_CLAIM));
        } else {
          assertThat(o)
              .as("%s: only namespaces besides our kinds and Jobs", f)
              .isInstanceOf(Namespace.class);
        }
      }
    }
    assertThat(blocks).isEqualTo(5);
    assertThat(claims).isEqualTo(5);
    assertThat(jobClaims).as("every Job names a claim of the examples").isNotEmpty();
    assertThat(claimNames).containsAll(jobClaims);
  }

  @Test
  void readmeNamesEveryExample() throws IOException {
    String readme = Files.readString(EXAMPLES.resolve("README.md"));
    for (Path f : files()) {
      assertThat(readme)
          .as("examples/README.md mentions %s", f.getFileName())
          .contains(f.getFileName().toString());
    }
  }
}
