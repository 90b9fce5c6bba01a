package io.mlp4j.demo.serve;

/** Writing JSON: the few pieces the API needs. */
final class JsonText {

    private JsonText() {
    }

    /** A JSON string literal. */
    static String string(String s) {
        StringBuilder b = new StringBuilder(s.length() + 2).append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                default -> {
                    if (c < 0x20) {
                        b.append(String.format("\\u%04x", (int) c));
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        return b.append('"').toString();
    }

    /** A non-negative number with at most {@code decimals} decimals, trailing zeros dropped: 0.981, 12, 0. */
    static void fixed(StringBuilder b, double v, int decimals) {
        if (!(v >= 0) || v > 1e12) {
            throw new IllegalArgumentException("not a small non-negative number: " + v);
        }
        long scale = (long) Math.pow(10, decimals);
        long n = Math.round(v * scale);
        b.append(n / scale);
        long frac = n % scale;
        if (frac != 0) {
            b.append('.');
            String digits = Long.toString(frac + scale).substring(1); // zero-padded
            int end = digits.length();
            while (digits.charAt(end - 1) == '0') {
                end--;
            }
            b.append(digits, 0, end);
        }
    }
}
