package io.mlp4j;

import io.mlp4j.spi.Backend;
import io.mlp4j.spi.DeviceDataset;
import io.mlp4j.spi.IndexBuffer;
import io.mlp4j.data.DataSet;

import java.util.IdentityHashMap;
import java.util.Map;
import java.util.Random;

/**
 * The data sets a trainer has put on its backend's device. Each set's storage is uploaded once, however many
 * views of it are used (the two parts of a split share one device copy), and each set gets two orders of its
 * rows there: the epoch's shuffle (training) and its own order (evaluation).
 */
final class DeviceData {

    /** One set on the device. {@code scratch} holds the next epoch's order while it is made. */
    record Resident(DataSet set, DeviceDataset storage, IndexBuffer shuffled, IndexBuffer inOrder, int[] scratch) {
    }

    private final Backend backend;
    private final Map<DataSet, Resident> resident = new IdentityHashMap<>();

    DeviceData(Backend backend) {
        this.backend = backend;
    }

    /** The set on the device, uploaded on first use after checking that it fits the network. */
    Resident of(DataSet data, Network net) {
        Resident r = resident.get(data);
        if (r != null) {
            return r;
        }
        if (data.features() != net.inputs()) {
            throw new IllegalArgumentException(data.name() + " has images of " + data.rows() + "x" + data.cols()
                    + " = " + data.features() + " pixels, but the network " + net + " takes " + net.inputs());
        }
        if (data.classCount() > net.outputs()) {
            throw new IllegalArgumentException(data.name() + " has labels up to " + (data.classCount() - 1)
                    + ", but the network " + net + " has only " + net.outputs() + " outputs");
        }
        DeviceDataset storage = null;
        for (Resident u : resident.values()) {
            if (u.set().sharesStorageWith(data)) {
                storage = u.storage();
                break;
            }
        }
        if (storage == null) {
            storage = data.upload(backend);
        }
        int[] order = identity(new int[data.size()]);
        data.toStorageRows(order);
        IndexBuffer inOrder = backend.allocateIndices(Math.max(1, order.length));
        backend.upload(inOrder, order);
        r = new Resident(data, storage, backend.allocateIndices(Math.max(1, order.length)), inOrder, order);
        resident.put(data, r);
        return r;
    }

    /**
     * Puts epoch {@code epoch}'s shuffle on the device: a fresh permutation each epoch, like PyTorch's
     * RandomSampler, drawn from (seed, epoch) alone so that a run resumed from a checkpoint sees the same batches
     * as one that never stopped.
     */
    void shuffle(Resident r, long seed, int epoch) {
        identity(r.scratch());
        DataSet.shuffle(r.scratch(), new Random(seed * 0x9E3779B97F4A7C15L + epoch));
        r.set().toStorageRows(r.scratch());
        backend.upload(r.shuffled(), r.scratch());
    }

    private static int[] identity(int[] order) {
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        return order;
    }
}
