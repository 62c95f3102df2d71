package ft.transfer;

import java.math.BigDecimal;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Byte counts as people write and read them: {@code 500K}, {@code 1.5G}, {@code 10GiB}.
 *
 * <p>As in rsync: {@code K}, {@code M}, {@code G}, {@code T} and {@code P} (optionally followed
 * by {@code iB}) are powers of 1024; {@code KB}, {@code MB} … are powers of 1000; a plain number
 * or a {@code B} suffix is bytes. Letters may be in either case; a fraction is allowed before a
 * suffix and rounded down to whole bytes.
 */
public final class ByteSize {
    private static final Pattern SIZE =
            Pattern.compile("([0-9]+(?:\\.[0-9]+)?)\\s*([kmgtp]?)(i?b?)", Pattern.CASE_INSENSITIVE);
    private static final String UNITS = "kmgtp";

    private ByteSize() {}

    /**
     * The number of bytes {@code text} names.
     *
     * @throws IllegalArgumentException with a message for people when it names none
     */
    public static long parse(String text) {
        Matcher m = SIZE.matcher(text == null ? "" : text.strip());
        if (!m.matches() || (m.group(2).isEmpty() && m.group(3).equalsIgnoreCase("ib"))) {
            throw new IllegalArgumentException(
                    "'" + text + "' is not a size (examples: 1048576, 500K, 20M, 1.5G, 10GiB)");
        }
        BigDecimal number = new BigDecimal(m.group(1));
        String unit = m.group(2).toLowerCase(Locale.ROOT);
        String tail = m.group(3).toLowerCase(Locale.ROOT);
        BigDecimal multiplier = BigDecimal.ONE;
        if (!unit.isEmpty()) {
            int power = UNITS.indexOf(unit) + 1;
            multiplier = BigDecimal.valueOf(tail.equals("b") ? 1000 : 1024).pow(power);
        } else if (number.scale() > 0) {
            throw new IllegalArgumentException("'" + text + "' is not a whole number of bytes");
        }
        BigDecimal bytes = number.multiply(multiplier);
        if (bytes.compareTo(BigDecimal.valueOf(Long.MAX_VALUE)) > 0) {
            throw new IllegalArgumentException("'" + text + "' is too large");
        }
        return bytes.longValue();
    }

    /** {@code n} in binary units with one decimal ({@code 1.5 GiB}), or exactly when under 1 KiB ({@code 17 B}). */
    public static String format(long n) {
        String[] units = {"B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
        double v = n;
        int u = 0;
        while (Math.abs(v) >= 1024 && u < units.length - 1) {
            v /= 1024;
            u++;
        }
        return u == 0 ? n + " B" : String.format(Locale.ROOT, "%.1f %s", v, units[u]);
    }
}
