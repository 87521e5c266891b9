package dev.privacy.dpf.crds.build;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import dev.privacy.dpf.crds.PrivacyClaim;
import dev.privacy.dpf.crds.PrivateBlock;
import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.kubernetes.client.CustomResource;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Runs in the build right after fabric8's CRD generator: puts each CRD's printer columns in the
 * order they are declared on the resource class (the generator sorts them, and {@code kubectl get}
 * shows them in the order of the CRD), and writes the result back in place.
 */
public final class CrdPostProcessor {

  private CrdPostProcessor() {}

  /** The resource classes whose CRDs the build publishes. */
  public static final List<Class<? extends CustomResource<?, ?>>> RESOURCES =
      List.of(PrivateBlock.class, PrivacyClaim.class);

  /** {@code args[0]}: the folder holding the generated {@code *-v1.yml} files. */
  public static void main(String[] args) throws IOException {
    Path dir = Path.of(args.length > 0 ? args[0] : "target/classes/META-INF/fabric8");
    for (Class<? extends CustomResource<?, ?>> type : RESOURCES) {
      Path file = dir.resolve(CustomResource.getCRDName(type) + "-v1.yml");
      Files.writeString(file, process(Files.readString(file), type));
      System.out.println("printer columns ordered as declared: " + file);
    }
  }

  /** The CRD text with its printer columns in declaration order. */
  static String process(String yaml, Class<?> type) throws IOException {
    ObjectMapper mapper =
        new ObjectMapper(
            new YAMLFactory()
                .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
                .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES));
    JsonNode crd = mapper.readTree(yaml);
    AdditionalPrinterColumn[] declared = type.getAnnotationsByType(AdditionalPrinterColumn.class);
    for (JsonNode version : crd.path("spec").path("versions")) {
      JsonNode columns = version.path("additionalPrinterColumns");
      if (!columns.isArray()) {
        continue;
      }
      List<JsonNode> ordered = new ArrayList<>();
      for (AdditionalPrinterColumn c : declared) {
        for (JsonNode col : columns) {
          if (c.name().equals(col.path("name").asText())) {
            ordered.add(col);
          }
        }
      }
      if (ordered.size() != columns.size()) {
        throw new IllegalStateException(
            "printer columns of " + type.getSimpleName() + " do not match their annotations");
      }
      ArrayNode out = mapper.createArrayNode();
      out.addAll(ordered);
      ((ObjectNode) version).set("additionalPrinterColumns", out);
    }
    return "# Generated from the Java types in crds/ by fabric8's CRD generator; do not edit.\n"
        + mapper.writeValueAsString(crd);
  }
}
