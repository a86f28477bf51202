"""How much a deployment of GPUs serves: tokens a second, time to first token and time per output
token for one model at one precision, worked out from the hardware and the model's shape, and the
cheapest deployment that carries a load within a latency budget.

The model in words (docs/capacity.md has the equations and the published measurements it is
calibrated to):

- Memory holds the weights (every parameter, at the bytes a parameter takes at that precision) and
  the KV cache of each live sequence, reserved for all its input + output tokens; the cache gets a
  share of what the weights leave. That room, divided by one sequence's cache, is the largest batch.
- The cache per token follows the attention: grouped-query and multi-head attention keep a key and a
  value per KV head and layer, multi-head latent attention one compressed latent and one rotary key
  per layer, and a sliding-window layer never more than its window. Experts do not change it.
- Prefill (reading the prompt) is bound by compute: 2 x active parameters FLOPs a token, plus the
  attention over the tokens before it, at the tensor throughput the precision delivers (a lower
  precision gives less than its datasheet speed-up) times an efficiency.
- Each decode step makes one token for every sequence in the batch. It reads the weights (for a
  mixture of experts, the experts the batch touches, more as the batch grows) and the cache of every
  live sequence, and it computes; the step takes the two one after the other. At the batches memory
  allows, reading dominates: decode is bound by bandwidth.
- Routed experts run as many small matrix products: slower the smaller the experts, and at BF16's
  rate whatever the precision of their weights.
- One request takes its prefill plus its share of the decode steps; the deployment serves one
  request in that time. Time per output token is one step plus the prefills of the other requests
  that interrupt it; time to first token is the request's time outside the GPUs, the step it
  arrives during, its prefill, and the wait behind other prefills.
- Tensor parallelism over N GPUs pools their memory, bandwidth and compute, less an efficiency per
  doubling of N for the communication between them.
- Sizing tries every GPU, precision and GPUs a replica, runs each replica at the largest batch
  whose 95th-percentile call time fits the budget, and counts replicas (and fractions of one, at
  least two) for the peak: the cheapest wins.

The efficiencies are fitted to published measurements (bench/fit_capacity.py); every constant is a
catalogue figure under ``capacity.`` (advisor/costs/data/capacity.yaml), so ``--set`` changes it.

The modules, from the bottom up:

- ``errors``: UnknownModel, UnknownGpu, CapacityError.
- ``shapes``: the architecture file, each model's Architecture, a model estimated from a bare
  size, the GPUs' names and aliases.
- ``hardware``: the precisions, each GPU's datasheet from the catalogue, finding a GPU by name.
- ``fitted``: the capacity figures as the arithmetic reads them (Factors), and their keys.
- ``replica``: the arithmetic of one replica: memory, prefill, decode steps, the times of a call.
- ``serving``: what a deployment serves (Capacity, what `advisor capacity` prints).
- ``deployments``: a Deployment, the Sizing that lists them, the replicas a sizing weighs.
- ``sizing``: the deployment search, size_deployment.
- ``calibration``: the published measurements and what the model predicts for each.

Names with a leading underscore are shared between these modules only. The names most callers use
are re-exported here, so that ``from advisor.costs import capacity`` then ``capacity.architecture``
keeps working: ``architecture``, ``architectures`` and ``gpu_name`` (shapes), ``gpus`` (hardware),
``factors`` (fitted), ``capacity`` (serving) and ``size_deployment`` (sizing). Import every other
name from its module. The measurements (calibration) are not imported here: only the tests and the
fitting script read them.
"""

from __future__ import annotations

from advisor.costs.capacity.fitted import factors
from advisor.costs.capacity.hardware import gpus
from advisor.costs.capacity.serving import capacity
from advisor.costs.capacity.shapes import architecture, architectures, gpu_name
from advisor.costs.capacity.sizing import size_deployment

__all__ = [
    "architecture",
    "architectures",
    "capacity",
    "factors",
    "gpu_name",
    "gpus",
    "size_deployment",
]
