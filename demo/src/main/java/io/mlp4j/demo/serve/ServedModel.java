package io.mlp4j.demo.serve;

import io.mlp4j.Classifier;

import java.time.Instant;

/** The model being served, where it came from and when it was loaded. Replaced as a whole on a swap. */
record ServedModel(Classifier classifier, String source, Instant loaded) {

    /** {@code GET /model}'s answer. */
    String json() {
        StringBuilder b = new StringBuilder("{\"network\":").append(JsonText.string(classifier.network().toString()))
                .append(",\"parameters\":").append(classifier.network().parameterCount())
                .append(",\"inputs\":").append(classifier.network().inputs())
                .append(",\"labels\":[");
        for (int i = 0; i < classifier.labels().size(); i++) {
            b.append(i == 0 ? "" : ",").append(JsonText.string(classifier.labels().get(i)));
        }
        return b.append("],\"source\":").append(JsonText.string(source))
                .append(",\"loaded\":").append(JsonText.string(loaded.toString())).append('}').toString();
    }
}
