package dev.privacy.dpf.sim;

import dev.privacy.dpf.budget.BlockCapacity;
import dev.privacy.dpf.budget.Budget;
import dev.privacy.dpf.budget.Conversion;
import dev.privacy.dpf.budget.Mechanisms;
import dev.privacy.dpf.budget.Orders;
import java.util.Objects;

/**
 * How a simulated block accounts for budget, and how a claim's epsilon becomes a demand in that
 * accounting (REFERENCE section 3): under basic composition a claim demands {@code (epsilon,
 * claimDelta)}; under Rényi accounting it demands the curve of a Gaussian mechanism calibrated with
 * the classic formula {@code sigma = sqrt(2 ln(1.25 / claimDelta)) / epsilon}.
 *
 * @param kind basic or Rényi
 * @param orders the Rényi orders (null under basic accounting)
 * @param conversion how a block's {@code (epsilon, delta)} becomes a capacity per order (null under
 *     basic accounting)
 * @param claimDelta the delta of every claim
 */
public record Accounting(
    Budget.Kind kind, Orders orders, Conversion conversion, double claimDelta) {

  /** The orders of the paper's simulator (REFERENCE section 3). */
  public static final Orders PAPER_ORDERS =
      Orders.of(1.000001, 1.0001, 1.5, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 2048, 20480);

  /** The claims' delta in the paper's microbenchmarks. */
  public static final double CLAIM_DELTA = 1e-9;

  public Accounting {
    Objects.requireNonNull(kind, "kind");
    if (kind == Budget.Kind.RENYI) {
      Objects.requireNonNull(orders, "orders");
      Objects.requireNonNull(conversion, "conversion");
    }
    if (!(claimDelta > 0 && claimDelta < 1)) {
      throw new IllegalArgumentException("claimDelta must be in (0, 1), got " + claimDelta);
    }
  }

  /** Basic composition, claims of delta 1e-9. */
  public static Accounting basic() {
    return new Accounting(Budget.Kind.BASIC, null, null, CLAIM_DELTA);
  }

  /** Rényi accounting over the paper's orders with the given capacity conversion. */
  public static Accounting renyi(Conversion conversion) {
    return new Accounting(Budget.Kind.RENYI, PAPER_ORDERS, conversion, CLAIM_DELTA);
  }

  /** Whether this is Rényi accounting. */
  public boolean isRenyi() {
    return kind == Budget.Kind.RENYI;
  }

  /** "basic", "renyi-classic" or "renyi-tight": the label used in CSV files and plots. */
  public String label() {
    return isRenyi() ? "renyi-" + conversion.name().toLowerCase(java.util.Locale.ROOT) : "basic";
  }

  /** A block's capacity from its global {@code (epsilon, delta)}. */
  public BlockCapacity capacity(double epsilon, double delta) {
    return isRenyi()
        ? BlockCapacity.renyi(epsilon, delta, orders, conversion)
        : BlockCapacity.basic(epsilon, delta);
  }

  /** The demand of a claim of the given epsilon. */
  public Budget demand(double epsilon) {
    return isRenyi()
        ? Mechanisms.gaussian(gaussianSigma(epsilon, claimDelta), orders)
        : Budget.epsDelta(epsilon, claimDelta);
  }

  /** The classic calibration of the Gaussian mechanism: {@code sqrt(2 ln(1.25 / delta)) / eps}. */
  public static double gaussianSigma(double epsilon, double delta) {
    return Math.sqrt(2 * Math.log(1.25 / delta)) / epsilon;
  }
}
