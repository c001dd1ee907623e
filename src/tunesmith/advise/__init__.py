"""`tunesmith advise`: will a fine-tune fit on a device, how fast will it run, what will it cost.

`estimate(request, device, workload)` adds up the memory terms (weights, gradients, optimizer, activations, the
loss head, the framework) and divides the FLOPs of the average step by the device's achieved rate; every term
and formula comes back with its numbers, so the answer can be checked by hand. bench/advise_check.py measures
it against real CPU runs; GPU estimates are checked against published figures (tests/advise/test_published.py).
"""

from tunesmith.advise.estimate import Estimate, Request, estimate, planned_steps
from tunesmith.advise.hardware import GPUS, Device, Gpu, cpu_device, custom_gpu, find_gpu, gpu_device
from tunesmith.advise.inputs import data_workload, method_config, recipe_request, recipe_workload

__all__ = [
    "GPUS",
    "Device",
    "Estimate",
    "Gpu",
    "Request",
    "cpu_device",
    "custom_gpu",
    "data_workload",
    "estimate",
    "find_gpu",
    "gpu_device",
    "method_config",
    "planned_steps",
    "recipe_request",
    "recipe_workload",
]
