package dev.privacy.dpf.operator.webhook;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.privacy.dpf.crds.DpfApi;
import dev.privacy.dpf.crds.PrivacyClaim;
import dev.privacy.dpf.crds.PrivateBlock;
import dev.privacy.dpf.crds.validation.Problem;
import dev.privacy.dpf.crds.validation.ResourceValidator;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.util.List;
import java.util.Objects;

/**
 * The validating admission decision for PrivateBlocks and PrivacyClaims: the same {@link
 * ResourceValidator} as the operator's, so that a bad block or claim is refused at {@code kubectl
 * apply} with the messages the operator would deny it with. An update is checked only when its spec
 * changes, and never while the object is being deleted, so that a stricter validator in a newer
 * operator never blocks the removal of an older object's finalizer.
 */
public final class ResourceAdmission {
  private final ResourceValidator validator;

  public ResourceAdmission(ResourceValidator validator) {
    this.validator = validator;
  }

  /** The AdmissionReview response to an AdmissionReview request about a block or a claim. */
  public ObjectNode review(JsonNode request) {
    JsonNode req = request.path("request");
    String op = req.path("operation").asText();
    String kind = req.path("kind").path("kind").asText();
    boolean ours =
        DpfApi.GROUP.equals(req.path("kind").path("group").asText())
            && (DpfApi.KIND_BLOCK.equals(kind) || DpfApi.KIND_CLAIM.equals(kind));
    if (!ours
        || !req.path("subResource").asText("").isEmpty()
        || !("CREATE".equals(op) || "UPDATE".equals(op))) {
      return AdmissionReviews.allow(request);
    }
    JsonNode obj = req.path("object");
    if ("UPDATE".equals(op)
        && (Objects.equals(obj.path("spec"), req.path("oldObject").path("spec"))
            || !obj.path("metadata").path("deletionTimestamp").isMissingNode())) {
      return AdmissionReviews.allow(request);
    }
    HasMetadata r;
    List<Problem> problems;
    try {
      if (DpfApi.KIND_BLOCK.equals(kind)) {
        PrivateBlock b = Serialization.unmarshal(obj.toString(), PrivateBlock.class);
        r = b;
        problems = validator.validate(b);
      } else {
        PrivacyClaim c = Serialization.unmarshal(obj.toString(), PrivacyClaim.class);
        r = c;
        problems = validator.validate(c);
      }
    } catch (RuntimeException e) {
      return AdmissionReviews.deny(
          request, 422, "Invalid", kind + " cannot be read: " + e.getMessage());
    }
    if (problems.isEmpty()) {
      return AdmissionReviews.allow(request);
    }
    StringBuilder msg =
        new StringBuilder(kind)
            .append(' ')
            .append(req.path("namespace").asText(r.getMetadata().getNamespace()))
            .append('/')
            .append(r.getMetadata().getName())
            .append(" is invalid: ");
    for (int i = 0; i < problems.size(); i++) {
      msg.append(i == 0 ? "" : "; ").append(problems.get(i).message());
    }
    return AdmissionReviews.deny(request, 422, "Invalid", msg.toString());
  }
}
