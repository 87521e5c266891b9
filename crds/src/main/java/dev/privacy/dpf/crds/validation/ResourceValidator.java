package dev.privacy.dpf.crds.validation;

import dev.privacy.dpf.budget.BlockCapacity;
import dev.privacy.dpf.budget.Budget;
import dev.privacy.dpf.budget.Conversion;
import dev.privacy.dpf.budget.Mechanisms;
import dev.privacy.dpf.budget.Orders;
import dev.privacy.dpf.crds.Accounting;
import dev.privacy.dpf.crds.BlockSelection;
import dev.privacy.dpf.crds.BlockWindow;
import dev.privacy.dpf.crds.ClaimWindow;
import dev.privacy.dpf.crds.Demand;
import dev.privacy.dpf.crds.EpsDelta;
import dev.privacy.dpf.crds.Mechanism;
import dev.privacy.dpf.crds.PrivacyClaim;
import dev.privacy.dpf.crds.PrivacyClaimSpec;
import dev.privacy.dpf.crds.PrivateBlock;
import dev.privacy.dpf.crds.PrivateBlockSpec;
import dev.privacy.dpf.crds.RdpCurve;
import dev.privacy.dpf.crds.SubsampledGaussianMechanism;
import dev.privacy.dpf.crds.UnlockOverride;
import dev.privacy.dpf.crds.UnlockPolicy;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.LabelSelectorRequirement;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The one validator of PrivateBlocks and PrivacyClaims, shared by the admission webhook (which
 * rejects) and the reconciler (which denies as {@code Invalid}). It checks everything the CRD
 * schema checks (a cluster without the schema, such as the mock API server, still gets the same
 * answers) and what the schema cannot express: orders and epsilons of equal length, orders above 1
 * and strictly increasing, time windows in order, label selector syntax, mechanism numbers that
 * give a finite curve, namespace and name syntax, durations. It returns every problem, each naming
 * the field and the value.
 */
public final class ResourceValidator {

  /**
   * The operator settings validation depends on.
   *
   * @param orders the Rényi orders curves are computed on
   * @param defaultAccounting the accounting of a block that does not say
   * @param conversion how a block's (epsilon, delta) becomes a capacity per order
   */
  public record Settings(Orders orders, Accounting defaultAccounting, Conversion conversion) {
    /** The operator's defaults: the default orders, Rényi accounting, the tight conversion. */
    public static final Settings DEFAULT =
        new Settings(Orders.DEFAULT, Accounting.Renyi, Conversion.TIGHT);

    public Settings {
      Objects.requireNonNull(orders, "orders");
      Objects.requireNonNull(defaultAccounting, "defaultAccounting");
      Objects.requireNonNull(conversion, "conversion");
    }
  }

  private static final Pattern DNS_LABEL = Pattern.compile("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$");
  private static final Pattern DNS_SUBDOMAIN =
      Pattern.compile("^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$");
  private static final Pattern LABEL_NAME =
      Pattern.compile("^([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)$");
  private static final Set<String> OPERATORS = Set.of("In", "NotIn", "Exists", "DoesNotExist");

  private final Settings settings;

  /** A validator with the given settings. */
  public ResourceValidator(Settings settings) {
    this.settings = Objects.requireNonNull(settings, "settings");
  }

  /** A validator with the operator's default settings. */
  public ResourceValidator() {
    this(Settings.DEFAULT);
  }

  /** Every problem with a block; empty if it is valid. */
  public List<Problem> validate(PrivateBlock block) {
    Problems p = new Problems();
    if (block.getMetadata() != null) {
      p.dnsLabel("metadata.namespace", block.getMetadata().getNamespace(), false);
    }
    PrivateBlockSpec spec = block.getSpec();
    if (spec == null) {
      p.missing("spec");
      return p.list;
    }
    p.text("spec.dataset", spec.getDataset(), 253);
    Accounting accounting =
        spec.getAccounting() == null ? settings.defaultAccounting() : spec.getAccounting();
    EpsDelta budget = spec.getBudget();
    if (budget == null) {
      p.missing("spec.budget");
    } else {
      p.epsilon("spec.budget.epsilon", budget.getEpsilon(), true);
      Double delta = budget.getDelta();
      p.delta("spec.budget.delta", delta, false);
      if (accounting == Accounting.Renyi && (delta == null || delta == 0)) {
        p.add(
            "spec.budget.delta",
            String.valueOf(delta == null ? 0 : delta),
            "spec.budget.delta must be > 0 under Renyi accounting"
                + (spec.getAccounting() == null ? " (the operator's default)" : "")
                + ", got 0: set a delta such as 1e-7, or spec.accounting: Basic for a pure-DP"
                + " block");
      } else if (accounting == Accounting.Renyi
          && budget.getEpsilon() != null
          && budget.getEpsilon() > 0
          && budget.getEpsilon() <= Budget.MAX_EPSILON
          && delta > 0
          && delta < 1
          && BlockCapacity.renyi(
                      budget.getEpsilon(), delta, settings.orders(), settings.conversion())
                  .usableCount()
              == 0) {
        p.add(
            "spec.budget",
            "epsilon=" + fmt(budget.getEpsilon()) + ", delta=" + fmt(delta),
            "spec.budget (epsilon="
                + fmt(budget.getEpsilon())
                + ", delta="
                + fmt(delta)
                + ") gives no positive Renyi capacity at any of the orders "
                + settings.orders()
                + ": nothing could ever be granted; raise epsilon or delta, or use"
                + " spec.accounting: Basic");
      }
    }
    BlockWindow w = spec.getWindow();
    if (w != null) {
      OffsetDateTime start = p.timestamp("spec.window.start", w.getStart(), true);
      OffsetDateTime end = p.timestamp("spec.window.end", w.getEnd(), true);
      if (start != null && end != null && !start.isBefore(end)) {
        p.add(
            "spec.window",
            w.getStart() + " .. " + w.getEnd(),
            "spec.window.start must be before spec.window.end, got start "
                + w.getStart()
                + " and end "
                + w.getEnd());
      }
    }
    List<String> allowed = spec.getAllowedNamespaces();
    if (allowed != null) {
      for (int i = 0; i < allowed.size(); i++) {
        p.dnsLabel("spec.allowedNamespaces[" + i + "]", allowed.get(i), true);
      }
    }
    UnlockOverride u = spec.getUnlock();
    if (u != null) {
      if (u.getPolicy() == null) {
        p.missing("spec.unlock.policy");
      } else if (u.getPolicy() == UnlockPolicy.DPF_N) {
        if (u.getN() == null) {
          p.add("spec.unlock.n", null, "spec.unlock.n is required for policy dpf-n");
        } else if (u.getN() < 1) {
          p.add("spec.unlock.n", "" + u.getN(), "spec.unlock.n must be >= 1, got " + u.getN());
        }
      } else if (u.getPolicy() == UnlockPolicy.DPF_T) {
        if (u.getLifetime() == null) {
          p.add("spec.unlock.lifetime", null, "spec.unlock.lifetime is required for policy dpf-t");
        } else if (p.positiveDuration("spec.unlock.lifetime", u.getLifetime())
            && Durations.parse(u.getLifetime()).toMillis() < 1) {
          p.add(
              "spec.unlock.lifetime",
              u.getLifetime(),
              "spec.unlock.lifetime must be at least 1ms, got \"" + u.getLifetime() + "\"");
        }
      }
    }
    return p.list;
  }

  /** Every problem with a claim; empty if it is valid. */
  public List<Problem> validate(PrivacyClaim claim) {
    Problems p = new Problems();
    if (claim.getMetadata() != null) {
      p.dnsLabel("metadata.namespace", claim.getMetadata().getNamespace(), false);
      String name = claim.getMetadata().getName();
      if (name != null && (name.length() > 63 || !LABEL_NAME.matcher(name).matches())) {
        p.add(
            "metadata.name",
            name,
            "metadata.name must be a valid label value (at most 63 characters) so that pods can"
                + " name the claim in their dpf.privacy.dev/claim label, got \""
                + name
                + "\"");
      }
    }
    PrivacyClaimSpec spec = claim.getSpec();
    if (spec == null) {
      p.missing("spec");
      return p.list;
    }
    validateBlocks(spec.getBlocks(), p);
    validateDemand(spec.getDemand(), p, "spec.demand");
    if (spec.getSpent() != null) {
      validateDemand(spec.getSpent(), p, "spec.spent");
    }
    if (spec.getTimeout() != null) {
      p.positiveDuration("spec.timeout", spec.getTimeout());
    }
    Double weight = spec.getWeight();
    if (weight != null && !(weight > 0 && Double.isFinite(weight))) {
      p.add(
          "spec.weight",
          fmt(weight),
          "spec.weight must be a finite number > 0, got " + fmt(weight));
    }
    return p.list;
  }

  private void validateBlocks(BlockSelection b, Problems p) {
    if (b == null) {
      p.missing("spec.blocks");
      return;
    }
    p.text("spec.blocks.dataset", b.getDataset(), 253);
    p.dnsLabel("spec.blocks.namespace", b.getNamespace(), false);
    if (b.getSelector() != null) {
      validateSelector(b.getSelector(), p);
    }
    ClaimWindow w = b.getWindow();
    if (w != null && w.getFrom() == null && w.getTo() == null) {
      p.add("spec.blocks.window", "{}", "spec.blocks.window needs from, to or both");
    }
    if (w != null) {
      OffsetDateTime from = p.timestamp("spec.blocks.window.from", w.getFrom(), false);
      OffsetDateTime to = p.timestamp("spec.blocks.window.to", w.getTo(), false);
      if (from != null && to != null && !from.isBefore(to)) {
        p.add(
            "spec.blocks.window",
            w.getFrom() + " .. " + w.getTo(),
            "spec.blocks.window.from must be before spec.blocks.window.to, got from "
                + w.getFrom()
                + " and to "
                + w.getTo());
      }
    }
    if (b.getLatest() != null && b.getLatest() < 1) {
      p.add(
          "spec.blocks.latest",
          "" + b.getLatest(),
          "spec.blocks.latest must be >= 1, got " + b.getLatest());
    }
    List<String> names = b.getNames();
    if (names != null) {
      if (names.isEmpty()) {
        p.add("spec.blocks.names", "[]", "spec.blocks.names must not be empty when given");
      }
      for (int i = 0; i < names.size(); i++) {
        String n = names.get(i);
        if (n == null || n.length() > 253 || !DNS_SUBDOMAIN.matcher(n).matches()) {
          p.add(
              "spec.blocks.names[" + i + "]",
              n,
              "spec.blocks.names["
                  + i
                  + "] must be a valid object name (lower case letters, digits, '-' and '.'),"
                  + " got \""
                  + n
                  + "\"");
        }
      }
      if (b.getSelector() != null || b.getWindow() != null || b.getLatest() != null) {
        p.add(
            "spec.blocks.names",
            String.valueOf(names),
            "spec.blocks.names cannot be combined with selector, window or latest");
      }
    }
  }

  private static void validateSelector(LabelSelector s, Problems p) {
    Map<String, String> labels = s.getMatchLabels();
    if (labels != null) {
      for (Map.Entry<String, String> e : labels.entrySet()) {
        String f = "spec.blocks.selector.matchLabels[" + e.getKey() + "]";
        p.labelKey(f, e.getKey());
        p.labelValue(f, e.getValue());
      }
    }
    List<LabelSelectorRequirement> exprs = s.getMatchExpressions();
    if (exprs != null) {
      for (int i = 0; i < exprs.size(); i++) {
        LabelSelectorRequirement r = exprs.get(i);
        String f = "spec.blocks.selector.matchExpressions[" + i + "]";
        p.labelKey(f + ".key", r.getKey());
        String op = r.getOperator();
        List<String> values = r.getValues() == null ? List.of() : r.getValues();
        if (op == null || !OPERATORS.contains(op)) {
          p.add(
              f + ".operator",
              op,
              f + ".operator must be one of In, NotIn, Exists, DoesNotExist, got \"" + op + "\"");
        } else if ((op.equals("In") || op.equals("NotIn")) && values.isEmpty()) {
          p.add(f + ".values", "[]", f + ".values must not be empty for operator " + op);
        } else if ((op.equals("Exists") || op.equals("DoesNotExist")) && !values.isEmpty()) {
          p.add(
              f + ".values",
              String.valueOf(values),
              f + ".values must be empty for operator " + op + ", got " + values);
        }
        for (int j = 0; j < values.size(); j++) {
          p.labelValue(f + ".values[" + j + "]", values.get(j));
        }
      }
    }
  }

  private void validateDemand(Demand d, Problems p, String at) {
    if (d == null) {
      p.missing(at);
      return;
    }
    int forms =
        (d.getEpsDelta() != null ? 1 : 0)
            + (d.getRdp() != null ? 1 : 0)
            + (d.getMechanism() != null ? 1 : 0);
    if (forms != 1) {
      p.add(at, null, at + " must have exactly one of epsDelta, rdp or mechanism, got " + forms);
    }
    if (d.getDelta() != null) {
      double x = d.getDelta();
      if (!(x > 0 && x < 1)) {
        p.add(at + ".delta", fmt(x), at + ".delta must be in (0, 1), got " + fmt(x));
      }
    }
    if (d.getEpsDelta() != null) {
      p.epsilon(at + ".epsDelta.epsilon", d.getEpsDelta().getEpsilon(), true);
      p.delta(at + ".epsDelta.delta", d.getEpsDelta().getDelta(), false);
    }
    if (d.getRdp() != null) {
      validateCurve(d.getRdp(), p, at);
    }
    Mechanism m = d.getMechanism();
    if (m != null) {
      int kinds =
          (m.getGaussian() != null ? 1 : 0)
              + (m.getLaplace() != null ? 1 : 0)
              + (m.getSubsampledGaussian() != null ? 1 : 0);
      if (kinds != 1) {
        p.add(
            at + ".mechanism",
            null,
            at
                + ".mechanism must have exactly one of gaussian, laplace or"
                + " subsampledGaussian, got "
                + kinds);
      }
      int before = p.list.size();
      if (m.getGaussian() != null) {
        p.positive(at + ".mechanism.gaussian.sigma", m.getGaussian().getSigma());
      }
      if (m.getLaplace() != null) {
        p.positive(at + ".mechanism.laplace.scale", m.getLaplace().getScale());
      }
      SubsampledGaussianMechanism s = m.getSubsampledGaussian();
      if (s != null) {
        String f = at + ".mechanism.subsampledGaussian";
        p.positive(f + ".noiseMultiplier", s.getNoiseMultiplier());
        Double q = s.getSamplingRate();
        if (q == null) {
          p.missing(f + ".samplingRate");
        } else if (!(q > 0 && q <= 1)) {
          p.add(f + ".samplingRate", fmt(q), f + ".samplingRate must be in (0, 1], got " + fmt(q));
        }
        if (s.getSteps() == null) {
          p.missing(f + ".steps");
        } else if (s.getSteps() < 1) {
          p.add(f + ".steps", "" + s.getSteps(), f + ".steps must be >= 1, got " + s.getSteps());
        }
      }
      if (kinds == 1 && p.list.size() == before) {
        try {
          Budget curve = demandBudget(d, settings.orders());
          if (allSaturated(curve)) {
            p.add(
                at + ".mechanism",
                null,
                at
                    + ".mechanism gives no finite epsilon at any order "
                    + settings.orders()
                    + ": the noise is too small for these numbers");
          }
        } catch (IllegalArgumentException e) {
          p.add(at + ".mechanism", null, at + ".mechanism: " + e.getMessage());
        }
      }
    }
  }

  private static boolean allSaturated(Budget b) {
    for (int i = 0; i < b.dimensions(); i++) {
      if (!b.isSaturated(i)) {
        return false;
      }
    }
    return true;
  }

  private static void validateCurve(RdpCurve c, Problems p, String at) {
    List<Double> orders = c.getOrders();
    List<Double> eps = c.getEpsilons();
    if (orders == null || orders.isEmpty()) {
      p.add(at + ".rdp.orders", null, at + ".rdp.orders must not be empty");
    }
    if (eps == null || eps.isEmpty()) {
      p.add(at + ".rdp.epsilons", null, at + ".rdp.epsilons must not be empty");
    }
    if (orders == null || eps == null) {
      return;
    }
    if (orders.size() != eps.size()) {
      p.add(
          at + ".rdp",
          null,
          at
              + ".rdp has "
              + orders.size()
              + " orders but "
              + eps.size()
              + " epsilons: give one epsilon per order");
    }
    for (int i = 0; i < orders.size(); i++) {
      Double a = orders.get(i);
      String f = at + ".rdp.orders[" + i + "]";
      if (a == null || !Double.isFinite(a) || a <= 1) {
        p.add(f, fmt(a), f + " must be a finite number > 1, got " + fmt(a));
      } else if (i > 0 && orders.get(i - 1) != null && a <= orders.get(i - 1)) {
        p.add(
            f,
            fmt(a),
            at
                + ".rdp.orders must be strictly increasing, got "
                + fmt(a)
                + " after "
                + fmt(orders.get(i - 1)));
      }
    }
    boolean positive = false;
    for (int i = 0; i < eps.size(); i++) {
      Double e = eps.get(i);
      String f = at + ".rdp.epsilons[" + i + "]";
      if (e == null || !Double.isFinite(e) || e < 0) {
        p.add(f, fmt(e), f + " must be a finite number >= 0, got " + fmt(e));
      } else {
        positive |= e > 0;
      }
    }
    if (!positive && !eps.isEmpty()) {
      p.add(at + ".rdp.epsilons", null, at + ".rdp.epsilons must not all be 0");
    }
  }

  /**
   * The demand of a valid claim as a core budget: a pair, a curve over the claim's own orders, or a
   * mechanism's curve over {@code orders}.
   *
   * @throws IllegalArgumentException if the demand is not valid
   */
  public static Budget demandBudget(Demand d, Orders orders) {
    if (d.getEpsDelta() != null) {
      EpsDelta e = d.getEpsDelta();
      return Budget.epsDelta(e.getEpsilon(), e.getDelta() == null ? 0 : e.getDelta());
    }
    if (d.getRdp() != null) {
      RdpCurve c = d.getRdp();
      return Budget.curve(
          Orders.of(c.getOrders().stream().mapToDouble(Double::doubleValue).toArray()),
          c.getEpsilons().stream().mapToDouble(Double::doubleValue).toArray());
    }
    Mechanism m = Objects.requireNonNull(d.getMechanism(), "demand has no form");
    if (m.getGaussian() != null) {
      return Mechanisms.gaussian(m.getGaussian().getSigma(), orders);
    }
    if (m.getLaplace() != null) {
      return Mechanisms.laplace(m.getLaplace().getScale(), orders);
    }
    SubsampledGaussianMechanism s = Objects.requireNonNull(m.getSubsampledGaussian());
    return Mechanisms.subsampledGaussian(
        s.getSamplingRate(), s.getNoiseMultiplier(), s.getSteps(), orders);
  }

  private static String fmt(Double v) {
    return v == null ? "null" : Budget.format(v);
  }

  /** Collects problems, with small checks that name the field and the value. */
  private static final class Problems {
    final List<Problem> list = new ArrayList<>();
    final Set<String> seen = new HashSet<>();

    void add(String field, String value, String message) {
      if (seen.add(field + "\u0000" + message)) {
        list.add(new Problem(field, value, message));
      }
    }

    void missing(String field) {
      add(field, null, field + " is required");
    }

    void text(String field, String v, int max) {
      if (v == null || v.isBlank()) {
        missing(field);
      } else if (v.length() > max) {
        add(field, v, field + " must be at most " + max + " characters, got " + v.length());
      }
    }

    void epsilon(String field, Double v, boolean block) {
      if (v == null) {
        missing(field);
      } else if (!(v > 0) || !Double.isFinite(v)) {
        add(field, fmt(v), field + " must be a finite number > 0, got " + fmt(v));
      } else if (block && v > Budget.MAX_EPSILON) {
        add(
            field,
            fmt(v),
            field + " must be at most " + fmt(Budget.MAX_EPSILON) + ", got " + fmt(v));
      }
    }

    void delta(String field, Double v, boolean required) {
      if (v == null) {
        if (required) {
          missing(field);
        }
      } else if (!(v >= 0 && v < 1)) {
        add(field, fmt(v), field + " must be in [0, 1), got " + fmt(v));
      }
    }

    void positive(String field, Double v) {
      if (v == null) {
        missing(field);
      } else if (!(v > 0) || !Double.isFinite(v)) {
        add(field, fmt(v), field + " must be a finite number > 0, got " + fmt(v));
      }
    }

    void dnsLabel(String field, String v, boolean required) {
      if (v == null) {
        if (required) {
          missing(field);
        }
      } else if (v.length() > 63 || !DNS_LABEL.matcher(v).matches()) {
        add(
            field,
            v,
            field
                + " must be a valid namespace name (at most 63 lower case letters, digits and"
                + " '-', starting and ending with a letter or digit), got \""
                + v
                + "\"");
      }
    }

    void labelKey(String field, String key) {
      String name = key;
      boolean ok = key != null && !key.isEmpty();
      if (ok && key.contains("/")) {
        String prefix = key.substring(0, key.indexOf('/'));
        name = key.substring(key.indexOf('/') + 1);
        ok = prefix.length() <= 253 && DNS_SUBDOMAIN.matcher(prefix).matches();
      }
      ok = ok && name.length() <= 63 && LABEL_NAME.matcher(name).matches();
      if (!ok) {
        add(field, key, field + " has an invalid label key \"" + key + "\"");
      }
    }

    void labelValue(String field, String v) {
      if (v != null && !v.isEmpty() && (v.length() > 63 || !LABEL_NAME.matcher(v).matches())) {
        add(
            field,
            v,
            field
                + " has an invalid label value \""
                + v
                + "\" (at most 63 letters, digits, '-', '_' and '.', starting and ending with a"
                + " letter or digit)");
      }
    }

    OffsetDateTime timestamp(String field, String v, boolean required) {
      if (v == null) {
        if (required) {
          missing(field);
        }
        return null;
      }
      try {
        return OffsetDateTime.parse(v);
      } catch (DateTimeParseException e) {
        add(
            field,
            v,
            field
                + " must be an RFC 3339 timestamp such as 2026-11-01T00:00:00Z, got \""
                + v
                + "\"");
        return null;
      }
    }

    /** Whether {@code v} is a positive duration; adds the problem if not. */
    boolean positiveDuration(String field, String v) {
      try {
        Duration d = Durations.parse(v);
        if (d.isZero()) {
          add(field, v, field + " must be longer than 0, got \"" + v + "\"");
          return false;
        }
        return true;
      } catch (IllegalArgumentException e) {
        add(field, v, field + " " + e.getMessage());
        return false;
      }
    }
  }
}
