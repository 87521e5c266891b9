package dev.privacy.dpf.operator.embedded;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Durations as people write them on a command line: {@code 500ms}, {@code 3s}, {@code 2m}, {@code
 * 1h}, or ISO-8601 ({@code PT3S}).
 */
final class Durations {
  private static final Pattern SIMPLE = Pattern.compile("(\\d+(?:\\.\\d+)?)(ms|s|m|h)");

  private Durations() {}

  /** The duration {@code text} gives; throws IllegalArgumentException saying what was expected. */
  static Duration parse(String text) {
    String t = text == null ? "" : text.trim();
    Matcher m = SIMPLE.matcher(t);
    if (m.matches()) {
      double v = Double.parseDouble(m.group(1));
      double millis =
          switch (m.group(2)) {
            case "ms" -> v;
            case "s" -> v * 1_000;
            case "m" -> v * 60_000;
            default -> v * 3_600_000;
          };
      return Duration.ofMillis(Math.round(millis));
    }
    try {
      Duration d = Duration.parse(t);
      if (!d.isNegative()) {
        return d;
      }
    } catch (DateTimeParseException e) {
      // fall through to the error below
    }
    throw new IllegalArgumentException(
        "expected a duration such as 500ms, 3s, 2m or PT3S, got '" + text + "'");
  }
}
