package dev.privacy.dpf.budget;

/**
 * Rényi-DP curves of the mechanisms an ML engineer already knows the numbers of. Every value is
 * computed in log space (no overflow for large orders or many steps) and moved up by a relative
 * margin of 10<sup>-10</sup> plus one unit (10<sup>-12</sup>) before it becomes a {@link Budget},
 * far above the rounding error of the evaluation, so that it never understates a demand. Compose
 * curves with {@link Budget#plus}.
 */
public final class Mechanisms {

  private static final double MARGIN = 1e-10;

  /** The largest order the subsampled Gaussian evaluates (its sum has one term per integer). */
  public static final int MAX_INTEGER_ORDER = 100_000;

  private Mechanisms() {}

  /**
   * The Gaussian mechanism with noise {@code sigma} and L2 sensitivity 1: {@code eps(a) = a / (2
   * sigma^2)}.
   */
  public static Budget gaussian(double sigma, Orders orders) {
    requirePositive("sigma", sigma);
    double[] eps = new double[orders.size()];
    for (int i = 0; i < eps.length; i++) {
      eps[i] = orders.alpha(i) / (2 * sigma * sigma);
    }
    return curve(orders, eps);
  }

  /**
   * The Laplace mechanism with scale {@code b} and sensitivity 1 (Mironov 2017, Proposition 6),
   * with {@code e0 = 1/b}: {@code eps(a) = e0 + ln(1 + (a-1) (exp((1-2a) e0) - 1) / (2a - 1)) / (a
   * - 1)}.
   */
  public static Budget laplace(double scale, Orders orders) {
    requirePositive("scale", scale);
    double e0 = 1 / scale;
    double[] eps = new double[orders.size()];
    for (int i = 0; i < eps.length; i++) {
      double a = orders.alpha(i);
      double inner = (a - 1) * Math.expm1((1 - 2 * a) * e0) / (2 * a - 1);
      eps[i] = e0 + Math.log1p(inner) / (a - 1);
    }
    return curve(orders, eps);
  }

  /**
   * DP-SGD: the Poisson-subsampled Gaussian mechanism with sampling rate {@code q}, noise
   * multiplier {@code sigma}, composed over {@code steps} steps (Mironov, Talwar and Zhang 2019).
   * For an integer order {@code a}: {@code eps(a) = steps * ln(sum_k C(a,k) (1-q)^(a-k) q^k
   * exp((k^2 - k) / (2 sigma^2))) / (a - 1)}.
   *
   * <p>A fractional order {@code a} is given the value at {@code ceil(a)}. Rényi divergence does
   * not decrease with the order, so this is a sound upper bound (slightly loose; the two-sided
   * series for fractional orders would be tighter).
   */
  public static Budget subsampledGaussian(
      double samplingRate, double noiseMultiplier, long steps, Orders orders) {
    if (!(samplingRate > 0 && samplingRate <= 1)) {
      throw new IllegalArgumentException(
          "samplingRate must be in (0, 1], got " + Budget.format(samplingRate));
    }
    requirePositive("noiseMultiplier", noiseMultiplier);
    if (steps < 1) {
      throw new IllegalArgumentException("steps must be >= 1, got " + steps);
    }
    double[] eps = new double[orders.size()];
    for (int i = 0; i < eps.length; i++) {
      double a = orders.alpha(i);
      double ceil = Math.ceil(a);
      if (ceil > MAX_INTEGER_ORDER) {
        throw new IllegalArgumentException(
            "order "
                + Budget.format(a)
                + " is too large for the subsampled Gaussian (at most "
                + MAX_INTEGER_ORDER
                + ")");
      }
      eps[i] = steps * subsampledGaussianStep(samplingRate, noiseMultiplier, (int) ceil);
    }
    return curve(orders, eps);
  }

  /**
   * One step of the subsampled Gaussian at integer order {@code a >= 2}, in log space. The binomial
   * weights sum to one, so the sum is {@code 1 + S} with {@code S = sum_{k>=2} C(a,k) (1-q)^(a-k)
   * q^k expm1((k^2-k) / (2 sigma^2))}, whose terms are all non-negative; {@code ln(1 + S)} is taken
   * from {@code ln S}, so the error stays relative. (Summing from k = 0 loses about 1e-16
   * absolutely to the leading 1 at every step, which the relative margin does not cover after 10^6
   * steps.)
   */
  static double subsampledGaussianStep(double q, double sigma, int a) {
    if (q == 1) {
      return a / (2 * sigma * sigma);
    }
    double logQ = Math.log(q);
    double log1mQ = Math.log1p(-q);
    double twoSigma2 = 2 * sigma * sigma;
    // log-sum-exp over k = 2..a of lnC(a,k) + (a-k) ln(1-q) + k ln q + ln expm1((k^2-k)/(2
    // sigma^2))
    double[] terms = new double[a - 1];
    double logBinom = Math.log(a); // ln C(a, 1)
    double max = Double.NEGATIVE_INFINITY;
    for (int k = 2; k <= a; k++) {
      logBinom += Math.log(a - k + 1) - Math.log(k);
      double c = ((double) k * k - k) / twoSigma2;
      double logExpm1 = c > 1 ? c + Math.log1p(-Math.exp(-c)) : Math.log(Math.expm1(c));
      double t = logBinom + (a - k) * log1mQ + k * logQ + logExpm1;
      terms[k - 2] = t;
      if (t > max) {
        max = t;
      }
    }
    if (max == Double.POSITIVE_INFINITY || max == Double.NEGATIVE_INFINITY) {
      return max == Double.POSITIVE_INFINITY ? max : 0; // sigma so small or so large it overflows
    }
    double sum = 0;
    for (double t : terms) {
      sum += Math.exp(t - max);
    }
    double logS = max + Math.log(sum);
    double logA = logS > 0 ? logS + Math.log1p(Math.exp(-logS)) : Math.log1p(Math.exp(logS));
    return Math.max(0, logA / (a - 1));
  }

  private static Budget curve(Orders orders, double[] eps) {
    for (int i = 0; i < eps.length; i++) {
      double v = eps[i];
      if (Double.isNaN(v)) {
        throw new IllegalArgumentException(
            "the mechanism gives no finite epsilon at order " + Budget.format(orders.alpha(i)));
      }
      // Infinite or huge values saturate in Budget: more than any capacity.
      eps[i] =
          Double.isInfinite(v) || v > Budget.MAX_EPSILON * 4
              ? Budget.MAX_EPSILON * 4
              : Math.max(0, v) * (1 + MARGIN) + Budget.EPSILON_UNIT;
    }
    return Budget.curve(orders, eps);
  }

  private static void requirePositive(String name, double v) {
    if (!(v > 0) || Double.isInfinite(v)) {
      throw new IllegalArgumentException(
          name + " must be a finite number > 0, got " + Budget.format(v));
    }
  }
}
