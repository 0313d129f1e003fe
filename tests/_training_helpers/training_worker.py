"""Subprocess entry points for tests/test_training.py (devices, seeds, clusters are per process).

python training_worker.py mirrored OUT.npz                  one device vs MirroredStrategy on 2 CPUs
python training_worker.py backup DIR KILL_AFTER             BackupAndRestore run, SIGKILLed after epoch
python training_worker.py multiworker INDEX PORTS OUT.npz INIT.npz CKPT_DIR
                                                   a seeded run, then MultiWorkerMirrored
"""

import json
import os
import signal
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")


def data(n=64, seed=0):
    import numpy as np

    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, 5, 3)).astype("float32")
    y = (x[:, -3:, :1].sum(axis=1) * 0.5 + 0.1 * rng.normal(size=(n, 1))).astype("float32")
    return x, y


def net():
    import keras

    return keras.Sequential([keras.Input((5, 3)), keras.layers.GRU(4), keras.layers.Dense(1)])


def weights(model, prefix=""):
    return {f"{prefix}w{i}": v.numpy() for i, v in enumerate(model.trainable_variables)}


def starting_from(start_weights):
    def build():
        model = net()
        model.set_weights(start_weights)
        return model

    return build


def mirrored(out):
    import numpy as np
    import tensorflow as tf

    # Devices are fixed once TensorFlow starts: split the CPU before anything else runs.
    cpu = tf.config.list_physical_devices("CPU")[0]
    tf.config.set_logical_device_configuration(cpu, [tf.config.LogicalDeviceConfiguration()] * 2)
    import keras

    from zoo import training

    # 60 rows in batches of 16: the last batch has 12 real rows and 4 of padding.
    x, y = data(60)
    keras.utils.set_random_seed(0)  # fixed starting weights: the gradient-size check is stable
    start = starting_from(net().get_weights())
    result = {}
    # The gradient norms at the start: clipping must be active for the comparison to count.
    probe = start()
    with tf.GradientTape() as tape:
        loss = tf.reduce_mean((probe(x[:16]) - y[:16]) ** 2)
    result["start_grad_norms"] = np.array(
        [float(tf.norm(g)) for g in tape.gradient(loss, probe.trainable_variables)]
    )
    common = {
        "epochs": 3,
        "batch_size": 16,
        "shuffle": False,
        "optimizer": "sgd",
        "learning_rate": 0.1,
        "clipnorm": 0.05,
        "reduce_lr_on_plateau": False,
        "early_stopping": False,
    }
    single, _ = training.fit(start, (x, y), **common)
    strategy = tf.distribute.MirroredStrategy(["/cpu:0", "/cpu:1"])
    model, history = training.fit(start, (x, y), strategy=strategy, **common)
    result["replicas"] = np.array(strategy.num_replicas_in_sync)
    result["mirrored_loss"] = np.array(history["loss"])
    # Without clipping, keras' own fit trains under the strategy (built in its scope).
    common["clipnorm"] = None
    single_plain, _ = training.fit(start, (x, y), **common)
    plain, _ = training.fit(start, (x, y), strategy=strategy, **common)
    np.savez(
        out,
        **result,
        **weights(single, "single_"),
        **weights(model, "mirrored_"),
        **weights(single_plain, "single_plain_"),
        **weights(plain, "mirrored_plain_"),
    )


def backup(directory, kill_after):
    import keras
    import numpy as np

    from zoo import training

    kill_after = int(kill_after)

    class KillAfter(keras.callbacks.Callback):
        def on_epoch_begin(self, epoch, logs=None):
            with open(os.path.join(directory, "epochs.txt"), "a") as f:
                f.write(f"{epoch}\n")

        def on_epoch_end(self, epoch, logs=None):
            # zoo's BackupAndRestore has saved this epoch already (zoo's callbacks run first).
            if epoch == kill_after:
                np.savez(
                    os.path.join(directory, "killed.npz"),
                    iterations=int(self.model.optimizer.iterations),
                    **weights(self.model),
                )
                os.kill(os.getpid(), signal.SIGKILL)

    x, y = data()
    training.set_seed(1)
    training.fit(
        net,
        (x, y),
        epochs=5,
        batch_size=16,
        backup_dir=os.path.join(directory, "bk"),
        callbacks=[KillAfter()],
    )


def multiworker(index, ports, out, init, ckpt):
    os.environ["TF_CONFIG"] = json.dumps(
        {
            "cluster": {"worker": [f"127.0.0.1:{p}" for p in ports.split(",")]},
            "task": {"type": "worker", "index": int(index)},
        }
    )
    import numpy as np
    import tensorflow as tf

    # Collective ops are configured when the strategy is created: before any other TF call.
    strategy = tf.distribute.MultiWorkerMirroredStrategy()
    from zoo import training

    x, y = data()
    # 1. determinism: a seeded run on this process's own device (no collectives involved);
    #    both workers are fresh processes running the same code.
    training.set_seed(7)
    model, history = training.fit(
        net,
        (x[:48], y[:48]),
        validation_data=(x[48:], y[48:]),
        epochs=4,
        batch_size=8,
        learning_rate=1e-2,
    )
    seeded = weights(model, "seeded_")
    seeded["seeded_forecast"] = model.predict(x, verbose=0)
    seeded["seeded_loss"] = np.array(history["loss"])

    # 2. the two workers train one model together from given starting weights
    with np.load(init) as f:
        start = starting_from([f[k] for k in f.files])
    model, history = training.fit(
        start,
        (x[:44], y[:44]),
        validation_data=(x[44:], y[44:]),
        strategy=strategy,
        epochs=4,
        batch_size=16,
        shuffle=False,
        learning_rate=1e-2,
        checkpoint_dir=ckpt,
        backup_dir=os.path.join(ckpt, "backup"),
    )
    np.savez(
        out,
        replicas=strategy.num_replicas_in_sync,
        loss=np.array(history["loss"]),
        val_loss=np.array(history["val_loss"]),
        **weights(model),
        **seeded,
    )


if __name__ == "__main__":
    mode, args = sys.argv[1], sys.argv[2:]
    {"mirrored": mirrored, "backup": backup, "multiworker": multiworker}[mode](*args)
    sys.stdout.flush()
    # Skip interpreter teardown: TF's collective runtime can block at exit waiting for peers.
    os._exit(0)
