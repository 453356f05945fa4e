"""Faster loading of a trained model that has DIET (this project's has none since the CRF
took over its entities; bench/nlu.py's Rasa recipe has).

Rasa 3.6 rebuilds a loaded DIET by one training step on one example before it reads
the weights, and traces that step as a TensorFlow graph: 35 s of a 40 s start on two
cores, for a step whose result the weights then overwrite. Run that step eagerly
instead (about a second); prediction is still a traced graph, with the same weights.
"""
from __future__ import annotations

_patched = False


def speed_up_model_loading() -> None:
    global _patched
    if _patched:
        return
    import tensorflow as tf
    from rasa.utils.tensorflow.constants import LEARNING_RATE, RUN_EAGERLY
    from rasa.utils.tensorflow.data_generator import RasaBatchDataGenerator
    from rasa.utils.tensorflow.models import RasaModel

    def load(cls, model_file_name, model_data_example, predict_data_example=None,
             finetune_mode=False, *args, **kwargs):
        config = kwargs.get("config", {})
        model = cls(*args, **kwargs)
        model.compile(optimizer=tf.keras.optimizers.Adam(config.get(LEARNING_RATE, 0.001)),
                      run_eagerly=True)
        model.fit(RasaBatchDataGenerator(model_data_example, batch_size=1), verbose=False)
        model.load_weights(model_file_name)
        model.run_eagerly = bool(config.get(RUN_EAGERLY))
        if not finetune_mode and predict_data_example:
            model.run_inference(predict_data_example)
        return model

    RasaModel.load = classmethod(load)
    _patched = True
