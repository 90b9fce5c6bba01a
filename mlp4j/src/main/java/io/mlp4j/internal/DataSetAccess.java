package io.mlp4j.internal;

import io.mlp4j.data.DataSet;

/**
 * Lets the trainer read a data set's arrays without the defensive copies the public API makes (a copy of
 * MNIST's training images is 40 MB of garbage per trainer). {@link DataSet} installs the only implementation; the
 * package is not exported, so code outside the module cannot reach it. The arrays must not be modified.
 */
public interface DataSetAccess {

    byte[] pixels(DataSet data);

    byte[] labels(DataSet data);

    /**
     * For a view, the row of {@link #pixels}/{@link #labels} that holds each sample (sample i is row
     * {@code sampleRows[i]}); null when sample i is row i. Must not be modified.
     */
    int[] sampleRows(DataSet data);

    static DataSetAccess get() {
        Holder.ensureInstalled();
        return Holder.instance;
    }

    /** Called once by DataSet's static initialiser. */
    static void install(DataSetAccess access) {
        if (Holder.instance != null) {
            throw new IllegalStateException("DataSetAccess is already installed");
        }
        Holder.instance = access;
    }

    final class Holder {
        private static volatile DataSetAccess instance;

        private Holder() {
        }

        private static void ensureInstalled() {
            if (instance == null) {
                try { // initialising DataSet installs the accessor
                    Class.forName(DataSet.class.getName(), true, DataSet.class.getClassLoader());
                } catch (ClassNotFoundException e) {
                    throw new IllegalStateException(e);
                }
            }
        }
    }
}
