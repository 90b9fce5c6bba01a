package io.mlp4j.demo;

import picocli.CommandLine;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** A learning-rate schedule like the tutorial's {@code 5@0.5,5@0.1}: 5 epochs at 0.5, then 5 at 0.1. */
record Schedule(List<Stage> stages) {

    /** {@code epochs} epochs at learning rate {@code lr}. */
    record Stage(int epochs, double lr) {
    }

    static final String TUTORIAL = "5@0.5,5@0.1";

    int epochs() {
        return stages.stream().mapToInt(Stage::epochs).sum();
    }

    static Schedule parse(String text) {
        List<Stage> stages = new ArrayList<>();
        for (String part : text.split(",", -1)) {
            String[] ab = part.trim().split("@", -1);
            if (ab.length != 2) {
                throw bad(text);
            }
            int epochs;
            double lr;
            try {
                epochs = Integer.parseInt(ab[0].trim());
                lr = Double.parseDouble(ab[1].trim());
            } catch (NumberFormatException e) {
                throw bad(text);
            }
            if (epochs < 1 || !(lr > 0) || Double.isInfinite(lr)) {
                throw bad(text);
            }
            stages.add(new Stage(epochs, lr));
        }
        return new Schedule(List.copyOf(stages));
    }

    private static CommandLine.TypeConversionException bad(String text) {
        return new CommandLine.TypeConversionException("bad --schedule '" + text + "': expected EPOCHS@LEARNING_RATE"
                + " stages separated by commas, each with at least 1 epoch and a positive rate, e.g. " + TUTORIAL);
    }

    @Override
    public String toString() {
        StringBuilder s = new StringBuilder();
        for (Stage st : stages) {
            s.append(s.length() == 0 ? "" : ",").append(st.epochs()).append('@')
                    .append(String.format(Locale.ROOT, "%s", st.lr()));
        }
        return s.toString();
    }

    static final class Converter implements CommandLine.ITypeConverter<Schedule> {
        @Override
        public Schedule convert(String value) {
            return parse(value);
        }
    }

    /** {@code --hidden 32} or {@code 64,32}: the widths of the hidden layers. */
    record Hidden(int[] widths) {
    }

    /** Parses {@link Hidden}. */
    static final class HiddenConverter implements CommandLine.ITypeConverter<Hidden> {
        @Override
        public Hidden convert(String value) {
            String[] parts = value.split(",", -1);
            int[] sizes = new int[parts.length];
            for (int i = 0; i < parts.length; i++) {
                try {
                    sizes[i] = Integer.parseInt(parts[i].trim());
                } catch (NumberFormatException e) {
                    sizes[i] = 0;
                }
                if (sizes[i] < 1 || sizes[i] > 65536) {
                    throw new CommandLine.TypeConversionException("bad --hidden '" + value + "': expected hidden "
                            + "layer widths from 1 to 65536 separated by commas, e.g. 32 or 64,32");
                }
            }
            return new Hidden(sizes);
        }
    }
}
