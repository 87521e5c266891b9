package dev.privacy.dpf.operator;

import dev.privacy.dpf.crds.BlockSelection;
import dev.privacy.dpf.crds.BlockWindow;
import dev.privacy.dpf.crds.ClaimWindow;
import dev.privacy.dpf.crds.PrivateBlock;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.LabelSelectorRequirement;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Which blocks a claim selects: the blocks of the data set in the target namespace that match the
 * names, selector, window and {@code latest} of {@code spec.blocks}, among those the claim may see
 * (blocks in its own namespace, or whose {@code allowedNamespaces} names it).
 */
final class Selection {
  private Selection() {}

  /** The outcome: the selected block ids, or why there are none. */
  record Result(List<String> ids, String denial, String message) {
    static Result of(List<String> ids) {
      return new Result(List.copyOf(ids), null, null);
    }

    static Result none(String reason, String message) {
      return new Result(List.of(), reason, message);
    }

    boolean ok() {
      return denial == null;
    }
  }

  /** The block id the scheduler uses: {@code namespace/name}. */
  static String id(PrivateBlock b) {
    return Api.key(b);
  }

  /** Whether a claim in {@code claimNamespace} may draw on {@code b}. */
  static boolean visible(PrivateBlock b, String claimNamespace) {
    if (Objects.equals(b.getMetadata().getNamespace(), claimNamespace)) {
      return true;
    }
    List<String> allowed = b.getSpec().getAllowedNamespaces();
    return allowed != null && allowed.contains(claimNamespace);
  }

  /**
   * Selects among {@code blocks} (valid blocks not being deleted).
   *
   * @param claimNamespace the claim's namespace
   * @param sel the claim's {@code spec.blocks} (already validated)
   */
  static Result select(String claimNamespace, BlockSelection sel, Collection<PrivateBlock> blocks) {
    String ns = sel.getNamespace() == null ? claimNamespace : sel.getNamespace();
    List<PrivateBlock> matching = new ArrayList<>();
    for (PrivateBlock b : blocks) {
      if (ns.equals(b.getMetadata().getNamespace())
          && sel.getDataset().equals(b.getSpec().getDataset())
          && matches(sel, b)) {
        matching.add(b);
      }
    }
    String where = "data set " + sel.getDataset() + " in namespace " + ns;
    if (sel.getNames() != null) {
      List<String> ids = new ArrayList<>();
      List<String> missing = new ArrayList<>();
      List<String> hidden = new ArrayList<>();
      for (String name : sel.getNames()) {
        PrivateBlock b =
            matching.stream()
                .filter(x -> x.getMetadata().getName().equals(name))
                .findFirst()
                .orElse(null);
        if (b == null) {
          missing.add(name);
        } else if (!visible(b, claimNamespace)) {
          hidden.add(name);
        } else if (!ids.contains(id(b))) {
          ids.add(id(b));
        }
      }
      if (!hidden.isEmpty()) {
        return Result.none(
            "Forbidden",
            "blocks "
                + hidden
                + " of "
                + where
                + " do not allow claims from namespace "
                + claimNamespace
                + " (spec.allowedNamespaces)");
      }
      if (!missing.isEmpty()) {
        return Result.none(
            "NoMatchingBlocks", "spec.blocks.names: no block named " + missing + " in " + where);
      }
      return Result.of(ids);
    }
    List<PrivateBlock> visible =
        new ArrayList<>(matching.stream().filter(b -> visible(b, claimNamespace)).toList());
    if (visible.isEmpty()) {
      if (!matching.isEmpty()) {
        return Result.none(
            "Forbidden",
            matching.size()
                + " block(s) of "
                + where
                + " match, but none allows claims from namespace "
                + claimNamespace
                + " (spec.allowedNamespaces)");
      }
      return Result.none("NoMatchingBlocks", "no block of " + where + " matches spec.blocks");
    }
    if (sel.getLatest() != null) {
      visible.sort(
          Comparator.comparing(Selection::recency).reversed().thenComparing(Selection::id));
      visible = visible.subList(0, Math.min(sel.getLatest(), visible.size()));
    }
    visible.sort(Comparator.comparing(Selection::id));
    return Result.of(visible.stream().map(Selection::id).toList());
  }

  private static boolean matches(BlockSelection sel, PrivateBlock b) {
    if (sel.getSelector() != null && !matches(sel.getSelector(), b.getMetadata().getLabels())) {
      return false;
    }
    ClaimWindow w = sel.getWindow();
    if (w != null) {
      BlockWindow bw = b.getSpec().getWindow();
      if (bw == null) {
        return false;
      }
      OffsetDateTime start = OffsetDateTime.parse(bw.getStart());
      OffsetDateTime end = OffsetDateTime.parse(bw.getEnd());
      if (w.getFrom() != null && !end.isAfter(OffsetDateTime.parse(w.getFrom()))) {
        return false;
      }
      if (w.getTo() != null && !start.isBefore(OffsetDateTime.parse(w.getTo()))) {
        return false;
      }
    }
    return true;
  }

  /** Kubernetes label selector semantics (matchLabels and matchExpressions, ANDed). */
  static boolean matches(LabelSelector s, Map<String, String> labels) {
    Map<String, String> l = labels == null ? Map.of() : labels;
    if (s.getMatchLabels() != null) {
      for (Map.Entry<String, String> e : s.getMatchLabels().entrySet()) {
        if (!Objects.equals(l.get(e.getKey()), e.getValue())) {
          return false;
        }
      }
    }
    if (s.getMatchExpressions() != null) {
      for (LabelSelectorRequirement r : s.getMatchExpressions()) {
        String v = l.get(r.getKey());
        List<String> values = r.getValues() == null ? List.of() : r.getValues();
        boolean ok =
            switch (r.getOperator()) {
              case "In" -> v != null && values.contains(v);
              case "NotIn" -> v == null || !values.contains(v);
              case "Exists" -> l.containsKey(r.getKey());
              case "DoesNotExist" -> !l.containsKey(r.getKey());
              default -> false;
            };
        if (!ok) {
          return false;
        }
      }
    }
    return true;
  }

  /** How recent a block's data is: its window's end, else its creation time. */
  private static Instant recency(PrivateBlock b) {
    if (b.getSpec().getWindow() != null) {
      return OffsetDateTime.parse(b.getSpec().getWindow().getEnd()).toInstant();
    }
    String c = b.getMetadata().getCreationTimestamp();
    return c == null ? Instant.EPOCH : OffsetDateTime.parse(c).toInstant();
  }
}
