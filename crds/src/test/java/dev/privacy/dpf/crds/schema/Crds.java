package dev.privacy.dpf.crds.schema;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.privacy.dpf.crds.DpfApi;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * The generated CRDs as the API server sees them, and YAML helpers for building test objects.
 *
 * <p>The CRDs are read from the classpath ({@code /META-INF/fabric8/<plural>.<group>-v1.yml}),
 * where fabric8's crd-generator writes them at build time, so the tests always see the YAML that is
 * published, never a hand-written copy.
 */
final class Crds {

  private Crds() {}

  static final String BLOCK = DpfApi.KIND_BLOCK;
  static final String CLAIM = DpfApi.KIND_CLAIM;

  static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

  private static final Map<String, String> RESOURCES =
      Map.of(
          BLOCK, "/META-INF/fabric8/" + DpfApi.PLURAL_BLOCKS + "." + DpfApi.GROUP + "-v1.yml",
          CLAIM, "/META-INF/fabric8/" + DpfApi.PLURAL_CLAIMS + "." + DpfApi.GROUP + "-v1.yml");

  private static final Map<String, JsonNode> CRDS =
      Map.of(BLOCK, load(RESOURCES.get(BLOCK)), CLAIM, load(RESOURCES.get(CLAIM)));

  static List<String> kinds() {
    return List.of(BLOCK, CLAIM);
  }

  /** The whole CustomResourceDefinition of a kind. */
  static JsonNode crd(String kind) {
    JsonNode crd = CRDS.get(kind);
    if (crd == null) {
      throw new IllegalArgumentException("no CRD for kind " + kind);
    }
    return crd;
  }

  /** {@code spec.versions[0].schema.openAPIV3Schema} of a kind's CRD. */
  static JsonNode openApiSchema(String kind) {
    JsonNode schema = crd(kind).at("/spec/versions/0/schema/openAPIV3Schema");
    if (!schema.isObject()) {
      throw new IllegalStateException(RESOURCES.get(kind) + " has no openAPIV3Schema");
    }
    return schema;
  }

  private static JsonNode load(String resource) {
    try (InputStream in = Crds.class.getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalStateException(
            resource + " is not on the classpath: the crd-generator writes it at build time");
      }
      return YAML.readTree(in);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Parses one YAML document. */
  static JsonNode yaml(String text) {
    try {
      JsonNode node = YAML.readTree(text);
      return node == null ? JsonNodeFactory.instance.missingNode() : node;
    } catch (IOException e) {
      throw new UncheckedIOException("bad YAML in a test case:\n" + text, e);
    }
  }

  /** Parses every document of a YAML stream (documents separated by {@code ---}). */
  static List<JsonNode> yamlDocuments(InputStream in) throws IOException {
    List<JsonNode> out = new ArrayList<>();
    try (JsonParser parser = YAML.getFactory().createParser(in)) {
      Iterator<JsonNode> it = YAML.readValues(parser, JsonNode.class);
      while (it.hasNext()) {
        JsonNode doc = it.next();
        if (doc != null && !doc.isNull() && !doc.isMissingNode()) {
          out.add(doc);
        }
      }
    }
    return out;
  }

  /** A complete object of the kind, with the given {@code spec} (YAML). */
  static ObjectNode object(String kind, String specYaml) {
    return object(kind, yaml(specYaml));
  }

  /** A complete object of the kind, with the given {@code spec}. */
  static ObjectNode object(String kind, JsonNode spec) {
    ObjectNode o = JsonNodeFactory.instance.objectNode();
    o.put("apiVersion", DpfApi.API_VERSION);
    o.put("kind", kind);
    ObjectNode metadata = o.putObject("metadata");
    metadata.put("name", "test");
    metadata.put("namespace", "ml-team");
    o.set("spec", spec.deepCopy());
    return o;
  }

  /**
   * RFC 7386 JSON merge patch, the semantics of {@code kubectl patch --type=merge}: objects merge
   * key by key, {@code null} removes a key, anything else replaces.
   */
  static JsonNode mergePatch(JsonNode target, JsonNode patch) {
    if (!patch.isObject()) {
      return patch.deepCopy();
    }
    ObjectNode result =
        target != null && target.isObject()
            ? ((ObjectNode) target).deepCopy()
            : JsonNodeFactory.instance.objectNode();
    patch
        .properties()
        .forEach(
            e -> {
              if (e.getValue().isNull()) {
                result.remove(e.getKey());
              } else {
                result.set(e.getKey(), mergePatch(result.get(e.getKey()), e.getValue()));
              }
            });
    return result;
  }
}
