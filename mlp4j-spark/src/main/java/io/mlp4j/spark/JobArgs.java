package io.mlp4j.spark;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** {@code --name value} command-line options of the jobs, checked against what each job accepts. */
final class JobArgs {

    private final Map<String, List<String>> values = new HashMap<>();

    /**
     * @param arity how many values each accepted option takes
     * @throws IllegalArgumentException naming an unknown option or a missing value
     */
    JobArgs(String[] args, Map<String, Integer> arity) {
        for (int i = 0; i < args.length; i++) {
            String name = args[i];
            Integer n = arity.get(name);
            if (n == null) {
                throw new IllegalArgumentException("unknown option '" + name + "'; options: "
                        + String.join(" ", arity.keySet().stream().sorted().toList()));
            }
            if (i + n >= args.length) {
                throw new IllegalArgumentException(name + " needs " + n + (n == 1 ? " value" : " values"));
            }
            values.put(name, List.of(args).subList(i + 1, i + 1 + n));
            i += n;
        }
    }

    boolean has(String name) {
        return values.containsKey(name);
    }

    String get(String name, String orElse) {
        List<String> v = values.get(name);
        return v == null ? orElse : v.get(0);
    }

    String required(String name) {
        String v = get(name, null);
        if (v == null) {
            throw new IllegalArgumentException(name + " is required");
        }
        return v;
    }

    List<String> all(String name) {
        return values.get(name);
    }

    int positiveInt(String name, int orElse) {
        String v = get(name, null);
        if (v == null) {
            return orElse;
        }
        try {
            int n = Integer.parseInt(v);
            if (n >= 1) {
                return n;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException(name + " must be a positive whole number, got '" + v + "'");
    }
}
