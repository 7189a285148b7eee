"""pytensor.optim.lr_scheduler: lr sequences against sequences printed by PyTorch, the chainable
and closed forms, state_dict, warnings and bad inputs."""
import math
import warnings

import pytest

import pytensor
from pytensor import optim
from pytensor.optim import lr_scheduler as L

# Sequences printed by PyTorch 2.13: get_last_lr() after construction, then after each step
# (groups at lr 0.1 and 0.01).
STEP = [[0.1, 0.01],
        [0.1, 0.01],
        [0.1, 0.01],
        [0.05, 0.005],
        [0.05, 0.005],
        [0.05, 0.005],
        [0.025, 0.0025],
        [0.025, 0.0025],
        [0.025, 0.0025],
        [0.0125, 0.00125],
        [0.0125, 0.00125],
        [0.0125, 0.00125],
        [0.00625, 0.000625]]
MULTISTEP = [[0.1, 0.01],
             [0.1, 0.01],
             [0.010000000000000002, 0.001],
             [0.010000000000000002, 0.001],
             [0.010000000000000002, 0.001],
             [0.00010000000000000005, 1.0000000000000003e-05],
             [0.00010000000000000005, 1.0000000000000003e-05],
             [0.00010000000000000005, 1.0000000000000003e-05],
             [0.00010000000000000005, 1.0000000000000003e-05],
             [0.00010000000000000005, 1.0000000000000003e-05],
             [0.00010000000000000005, 1.0000000000000003e-05],
             [0.00010000000000000005, 1.0000000000000003e-05],
             [0.00010000000000000005, 1.0000000000000003e-05]]
EXP = [[0.1, 0.01],
       [0.09000000000000001, 0.009000000000000001],
       [0.08100000000000002, 0.008100000000000001],
       [0.07290000000000002, 0.007290000000000001],
       [0.06561000000000002, 0.006561000000000002],
       [0.05904900000000002, 0.005904900000000002],
       [0.05314410000000002, 0.005314410000000002],
       [0.04782969000000002, 0.004782969000000002],
       [0.043046721000000024, 0.004304672100000002],
       [0.03874204890000002, 0.003874204890000002],
       [0.03486784401000002, 0.003486784401000002],
       [0.03138105960900001, 0.003138105960900002],
       [0.028242953648100012, 0.0028242953648100018]]
COS = [[0.1, 0.01],
       [0.0905463412215599, 0.009140576474687266],
       [0.06579634122155989, 0.006890576474687264],
       [0.035203658778440096, 0.004109423525312737],
       [0.010453658778440105, 0.0018594235253127371],
       [0.001, 0.001],
       [0.010453658778440102, 0.0018594235253127367],
       [0.03520365877844012, 0.004109423525312739],
       [0.06579634122155993, 0.006890576474687268],
       [0.09054634122155995, 0.00914057647468727],
       [0.10000000000000005, 0.010000000000000005],
       [0.09054634122155998, 0.00914057647468727],
       [0.06579634122155995, 0.006890576474687266]]
LAMBDA = [[0.1, 0.01],
          [0.095, 0.005],
          [0.09025, 0.003333333333333333],
          [0.0857375, 0.0025],
          [0.081450625, 0.002],
          [0.07737809374999999, 0.0016666666666666666],
          [0.07350918906249998, 0.0014285714285714286],
          [0.06983372960937498, 0.00125],
          [0.06634204312890622, 0.0011111111111111111],
          [0.0630249409724609, 0.001],
          [0.05987369392383787, 0.0009090909090909091],
          [0.05688000922764597, 0.0008333333333333333],
          [0.05403600876626367, 0.0007692307692307693]]
LINEAR = [[0.025, 0.0025],
          [0.037500000000000006, 0.00375],
          [0.05, 0.004999999999999999],
          [0.0625, 0.006249999999999999],
          [0.075, 0.007499999999999998],
          [0.075, 0.007499999999999998],
          [0.075, 0.007499999999999998],
          [0.075, 0.007499999999999998],
          [0.075, 0.007499999999999998],
          [0.075, 0.007499999999999998],
          [0.075, 0.007499999999999998],
          [0.075, 0.007499999999999998],
          [0.075, 0.007499999999999998]]
ONECYCLE = [[0.040000000000000036, 0.040000000000000036],
            [0.52, 0.52],
            [1.0, 1.0],
            [0.9504846320134737, 0.9504846320134737],
            [0.8117456539497631, 0.8117456539497631],
            [0.6112620219362893, 0.6112620219362893],
            [0.38874197806371075, 0.38874197806371075],
            [0.18825834605023697, 0.18825834605023697],
            [0.049519367986526286, 0.049519367986526286],
            [4e-06, 4e-06]]
ONECYCLE_MOM = [[0.8999999999999999, 0.8999999999999999],
                [0.85, 0.85],
                [0.854951556604879, 0.854951556604879],
                [0.8688255099070633, 0.8688255099070633],
                [0.8888739533021842, 0.8888739533021842],
                [0.9111260466978157, 0.9111260466978157],
                [0.9311744900929366, 0.9311744900929366],
                [0.945048443395121, 0.945048443395121],
                [0.95, 0.95]]
ONECYCLE3 = [[0.1, 0.05],
             [0.55, 0.275],
             [1.0, 0.5],
             [0.55, 0.275],
             [0.09999999999999998, 0.04999999999999999],
             [0.08585714285714287, 0.042928571428571434],
             [0.07171428571428572, 0.03585714285714286],
             [0.05757142857142858, 0.02878571428571429],
             [0.043428571428571434, 0.021714285714285717],
             [0.02928571428571429, 0.014642857142857145],
             [0.015142857142857152, 0.007571428571428576],
             [0.0010000000000000009, 0.0005000000000000004]]
ONECYCLE3_BETA = [[0.8999999999999999, 0.8999999999999999],
                  [0.85, 0.85],
                  [0.8999999999999999, 0.8999999999999999],
                  [0.95, 0.95],
                  [0.95, 0.95],
                  [0.95, 0.95],
                  [0.95, 0.95],
                  [0.95, 0.95],
                  [0.95, 0.95],
                  [0.95, 0.95],
                  [0.95, 0.95]]
CHAINED = [[0.1, 0.01],
           [0.09000000000000001, 0.009000000000000001],
           [0.04050000000000001, 0.004050000000000001],
           [0.03645000000000001, 0.0036450000000000007],
           [0.016402500000000004, 0.0016402500000000004],
           [0.014762250000000005, 0.0014762250000000005],
           [0.0066430125000000026, 0.0006643012500000003],
           [0.005978711250000003, 0.0005978711250000003],
           [0.0026904200625000015, 0.00026904200625000013]]
COS_EPOCH = [[0.03520365877844011, 0.004109423525312737],
             [0.035203658778440096, 0.004109423525312737],
             [0.0905463412215599, 0.009140576474687266],
             [0.1, 0.010000000000000002]]
MULTISTEP_EPOCH = [[0.00010000000000000003, 1.0000000000000003e-05],
                   [0.010000000000000002, 0.001],
                   [0.1, 0.01]]
PLATEAU_0 = [[0.1, 0.01],
             [0.1, 0.01],
             [0.1, 0.01],
             [0.1, 0.01],
             [0.010000000000000002, 0.001],
             [0.010000000000000002, 0.001],
             [0.010000000000000002, 0.001],
             [0.010000000000000002, 0.001],
             [0.0010000000000000002, 0.0001],
             [0.0010000000000000002, 0.0001],
             [0.0010000000000000002, 0.0001],
             [0.00010000000000000003, 1e-05],
             [0.00010000000000000003, 1e-05],
             [0.00010000000000000003, 1e-05]]
PLATEAU_1 = [[0.1, 0.01],
             [0.1, 0.01],
             [0.1, 0.01],
             [0.05, 0.005],
             [0.05, 0.005],
             [0.05, 0.005],
             [0.05, 0.005],
             [0.025, 0.0025],
             [0.025, 0.0025],
             [0.025, 0.0025],
             [0.025, 0.0025],
             [0.02, 0.00125],
             [0.02, 0.00125],
             [0.02, 0.00125]]
PLATEAU_2 = [[0.1, 0.01],
             [0.05, 0.005],
             [0.025, 0.0025],
             [0.0125, 0.00125],
             [0.00625, 0.000625],
             [0.003125, 0.0003125],
             [0.0015625, 0.00015625],
             [0.00078125, 7.8125e-05],
             [0.000390625, 3.90625e-05],
             [0.0001953125, 1.953125e-05],
             [9.765625e-05, 9.765625e-06],
             [4.8828125e-05, 4.8828125e-06],
             [2.44140625e-05, 2.44140625e-06],
             [1.220703125e-05, 1.220703125e-06]]


def make_opt(cls=optim.SGD, **kw):
    a, b = (pytensor.tensor([0.0], requires_grad=True) for _ in range(2))
    return cls([{"params": [a]}, {"params": [b], "lr": 0.01}], lr=0.1, **kw)


def run(make, steps, cls=optim.SGD, extra=None, **kw):
    """lrs after construction and after each (optimizer.step, scheduler.step); extra(opt) is
    recorded after each step."""
    opt = make_opt(cls, **kw)
    sched = make(opt)
    lrs, extras = [sched.get_last_lr()], []
    for _ in range(steps):
        opt.step()
        sched.step()
        lrs.append(sched.get_last_lr())
        assert lrs[-1] == [g["lr"] for g in opt.param_groups]
        if extra is not None:
            extras.append(extra(opt))
    return lrs, extras


def approx(seq):
    return pytest.approx(seq, rel=1e-12, abs=1e-15)


def check(got, expected):
    assert len(got) == len(expected)
    for g, e in zip(got, expected):
        assert g == approx(e)


@pytest.mark.parametrize("make,expected", [
    (lambda o: L.StepLR(o, 3, gamma=0.5), STEP),
    (lambda o: L.MultiStepLR(o, [2, 5, 5], gamma=0.1), MULTISTEP),
    (lambda o: L.ExponentialLR(o, 0.9), EXP),
    (lambda o: L.CosineAnnealingLR(o, T_max=5, eta_min=0.001), COS),
    (lambda o: L.LambdaLR(o, [lambda e: 0.95 ** e, lambda e: 1.0 / (e + 1)]), LAMBDA),
    (lambda o: L.LinearLR(o, start_factor=0.25, end_factor=0.75, total_iters=4), LINEAR),
], ids=["StepLR", "MultiStepLR", "ExponentialLR", "CosineAnnealingLR", "LambdaLR", "LinearLR"])
def test_sequence(make, expected):
    check(run(make, len(expected) - 1)[0], expected)


def test_one_cycle_sgd_momentum():
    lrs, moms = run(lambda o: L.OneCycleLR(o, max_lr=1.0, total_steps=10), 9, momentum=0.9,
                    extra=lambda o: [g["momentum"] for g in o.param_groups])
    check(lrs, ONECYCLE)
    check(moms, ONECYCLE_MOM)


def test_one_cycle_three_phase_linear_adam_betas():
    make = lambda o: L.OneCycleLR(o, max_lr=[1.0, 0.5], total_steps=12, pct_start=0.25,  # noqa: E731
                                  anneal_strategy="linear", three_phase=True, div_factor=10.0,
                                  final_div_factor=100.0)
    lrs, betas = run(make, 11, cls=optim.Adam, extra=lambda o: [g["betas"][0] for g in o.param_groups])
    check(lrs, ONECYCLE3)
    check(betas, ONECYCLE3_BETA)


def test_one_cycle_past_total_steps():
    opt = make_opt()
    sched = L.OneCycleLR(opt, 1.0, total_steps=2, cycle_momentum=False)
    opt.step()
    sched.step()
    sched.step()
    with pytest.raises(ValueError, match="Tried to step 3 times. The specified number of total "
                                         "steps is 2"):
        sched.step()


def test_chained_schedulers():
    opt = make_opt()
    a, b = L.StepLR(opt, 2, gamma=0.5), L.ExponentialLR(opt, 0.9)
    lrs = [[g["lr"] for g in opt.param_groups]]
    for _ in range(8):
        opt.step()
        a.step()
        b.step()
        lrs.append([g["lr"] for g in opt.param_groups])
    check(lrs, CHAINED)


@pytest.mark.parametrize("make,epochs,expected", [
    (lambda o: L.CosineAnnealingLR(o, T_max=5, eta_min=0.001), [3, 7, 1, 10], COS_EPOCH),
    (lambda o: L.MultiStepLR(o, [2, 5, 5], 0.1), [6, 3, 1], MULTISTEP_EPOCH),
])
def test_step_with_epoch_uses_closed_form(make, epochs, expected):
    opt = make_opt()
    sched = make(opt)
    opt.step()
    got = []
    for e in epochs:
        with pytest.warns(UserWarning, match="The epoch parameter in `scheduler.step\\(\\)`"):
            sched.step(e)
        got.append(sched.get_last_lr())
    check(got, expected)


@pytest.mark.parametrize("cls,args", [
    (L.StepLR, (4, 0.3)), (L.MultiStepLR, ([1, 3, 3, 8], 0.5)), (L.ExponentialLR, (0.8,)),
    (L.CosineAnnealingLR, (6, 0.002)), (L.LinearLR, (0.2, 0.9, 5)),
])
def test_chainable_matches_closed_form(cls, args):
    opt = make_opt()
    sched = cls(opt, *args)
    for _ in range(20):
        opt.step()
        sched.step()
        assert sched.get_last_lr() == approx(sched._get_closed_form_lr())


def test_cosine_formula():
    opt = make_opt()
    sched = L.CosineAnnealingLR(opt, T_max=7)
    for epoch in range(1, 15):
        opt.step()
        sched.step()
        want = [base * (1 + math.cos(math.pi * epoch / 7)) / 2 for base in (0.1, 0.01)]
        assert sched.get_last_lr() == pytest.approx(want, abs=1e-12)


@pytest.mark.parametrize("kw,expected", [
    (dict(patience=2), PLATEAU_0),
    (dict(patience=1, cooldown=2, factor=0.5, min_lr=[0.02, 0.001]), PLATEAU_1),
    (dict(mode="max", patience=0, threshold=0.05, threshold_mode="abs", factor=0.5), PLATEAU_2),
])
def test_reduce_lr_on_plateau(kw, expected):
    metrics = [1.0, 0.9, 0.95, 0.95, 0.95, 0.89, 0.9, 0.9, 0.9, 0.9, 0.9, 0.9, 0.9, 0.9]
    opt = make_opt()
    sched = L.ReduceLROnPlateau(opt, **kw)
    got = []
    for m in metrics:
        sched.step(pytensor.tensor(m))  # a 0-d tensor, as a loss is
        got.append(sched.get_last_lr())
    check(got, expected)
    assert sched.last_epoch == len(metrics)


def test_initial_lr_and_base_lrs():
    opt = make_opt()
    sched = L.ExponentialLR(opt, 0.5)
    assert [g["initial_lr"] for g in opt.param_groups] == [0.1, 0.01]
    assert sched.base_lrs == [0.1, 0.01] and sched.last_epoch == 0
    # Resuming (last_epoch >= 0) takes the base lrs from 'initial_lr', not from 'lr'.
    opt.step()
    sched.step()
    resumed = L.ExponentialLR(opt, 0.5, last_epoch=sched.last_epoch)
    assert resumed.base_lrs == [0.1, 0.01] and resumed.last_epoch == 2


def test_state_dict_round_trip():
    opt = make_opt()
    sched = L.StepLR(opt, 2, gamma=0.5)
    for _ in range(3):
        opt.step()
        sched.step()
    saved = sched.state_dict()
    assert "optimizer" not in saved
    assert saved["last_epoch"] == 3 and saved["step_size"] == 2 and saved["base_lrs"] == [0.1, 0.01]
    opt2 = make_opt()
    opt2.load_state_dict(opt.state_dict())
    sched2 = L.StepLR(opt2, 7, gamma=0.9)
    sched2.load_state_dict(saved)
    for _ in range(4):
        opt.step()
        sched.step()
        opt2.step()
        sched2.step()
        assert sched2.get_last_lr() == sched.get_last_lr()


def test_lambda_state_dict_saves_callable_objects_only():
    class Decay:
        def __init__(self, rate):
            self.rate = rate

        def __call__(self, epoch):
            return self.rate ** epoch

    opt = make_opt()
    sched = L.LambdaLR(opt, [Decay(0.5), lambda e: 1.0])
    saved = sched.state_dict()
    assert saved["lr_lambdas"] == [{"rate": 0.5}, None]
    other = L.LambdaLR(make_opt(), [Decay(0.9), lambda e: 2.0])
    other.load_state_dict(saved)
    assert other.lr_lambdas[0].rate == 0.5 and "lr_lambdas" in saved


def test_plateau_state_dict():
    opt = make_opt()
    sched = L.ReduceLROnPlateau(opt, mode="max", patience=0)
    sched.step(1.0)
    saved = sched.state_dict()
    other = L.ReduceLROnPlateau(make_opt())
    other.load_state_dict(saved)
    assert other.mode == "max" and other.best == 1.0 and other.mode_worse == -math.inf


def test_warns_when_scheduler_steps_before_optimizer():
    opt = make_opt()
    sched = L.StepLR(opt, 2)
    with pytest.warns(UserWarning, match="Detected call of `lr_scheduler.step\\(\\)` before "
                                         "`optimizer.step\\(\\)`"):
        sched.step()
    opt = make_opt()
    sched = L.StepLR(opt, 2)
    opt.step()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        sched.step()


def test_bad_inputs():
    opt = make_opt()
    with pytest.raises(TypeError, match="int is not an Optimizer"):
        L.StepLR(3, 2)
    with pytest.raises(KeyError, match="param 'initial_lr' is not specified in param_groups\\[0\\]"):
        L.StepLR(opt, 2, last_epoch=3)
    with pytest.raises(ValueError, match="Expected 2 lr_lambdas, but got 1"):
        L.LambdaLR(opt, [lambda e: 1.0])
    with pytest.raises(ValueError, match="Starting multiplicative factor expected to be greater "
                                         "than 0 and less or equal to 1."):
        L.LinearLR(opt, start_factor=0)
    with pytest.raises(ValueError, match="Ending multiplicative factor expected to be between 0 "
                                         "and 1."):
        L.LinearLR(opt, end_factor=2)
    with pytest.raises(ValueError, match="Factor should be < 1.0."):
        L.ReduceLROnPlateau(opt, factor=1)
    with pytest.raises(ValueError, match="mode x is unknown!"):
        L.ReduceLROnPlateau(opt, mode="x")
    with pytest.raises(ValueError, match="threshold mode x is unknown!"):
        L.ReduceLROnPlateau(opt, threshold_mode="x")
    with pytest.raises(ValueError, match="expected 2 min_lrs, got 3"):
        L.ReduceLROnPlateau(opt, min_lr=[1, 2, 3])
    with pytest.raises(ValueError, match="You must define either total_steps OR"):
        L.OneCycleLR(opt, 1.0)
    with pytest.raises(ValueError, match="Expected positive integer total_steps, but got 0"):
        L.OneCycleLR(opt, 1.0, total_steps=0)
    with pytest.raises(ValueError, match="anneal_strategy must be one of 'cos' or 'linear', "
                                         "instead got x"):
        L.OneCycleLR(opt, 1.0, total_steps=10, anneal_strategy="x")
    with pytest.raises(ValueError, match="Expected float between 0 and 1 pct_start, but got 2"):
        L.OneCycleLR(opt, 1.0, total_steps=10, pct_start=2)
    with pytest.raises(ValueError, match="max_lr must have the same length as "
                                         "optimizer.param_groups"):
        L.OneCycleLR(opt, [1.0], total_steps=10)
    with pytest.raises(ValueError, match="optimizer must support momentum or beta1"):
        L.OneCycleLR(make_opt(optim.Adagrad), 1.0, total_steps=10)
    with pytest.raises(NotImplementedError):
        L.LRScheduler(make_opt())


@pytest.mark.parametrize("name,args,kw", [
    ("StepLR", (3,), dict(gamma=0.5)), ("MultiStepLR", ([2, 5, 5],), {}),
    ("ExponentialLR", (0.9,), {}), ("CosineAnnealingLR", (5, 0.001), {}),
    ("LinearLR", (0.25, 0.75, 4), {}), ("OneCycleLR", (1.0,), dict(total_steps=12)),
    ("OneCycleLR", ([1.0, 0.3],), dict(epochs=3, steps_per_epoch=4, anneal_strategy="linear")),
    ("LambdaLR", (lambda e: 0.9 ** e,), {}),
])
def test_matches_torch(name, args, kw):
    torch = pytest.importorskip("torch")
    a, b = (torch.zeros(1, requires_grad=True) for _ in range(2))
    topt = torch.optim.SGD([{"params": [a]}, {"params": [b], "lr": 0.01}], lr=0.1, momentum=0.9)
    tsched = getattr(torch.optim.lr_scheduler, name)(topt, *args, **kw)
    expected = [tsched.get_last_lr()]
    for _ in range(11):
        topt.step()
        tsched.step()
        expected.append(tsched.get_last_lr())
    check(run(lambda o: getattr(L, name)(o, *args, **kw), 11, momentum=0.9)[0], expected)


def test_more_schedulers_follow_their_formulas():
    bases = [0.1, 0.01]

    def seq(fn, n):
        return [[b * fn(e) for b in bases] for e in range(n + 1)]

    check(run(lambda o: L.MultiplicativeLR(o, lambda e: 0.9), 6)[0], seq(lambda e: 0.9 ** e, 6))
    check(run(lambda o: L.ConstantLR(o, factor=0.5, total_iters=3), 6)[0],
          seq(lambda e: 0.5 if e < 3 else 1.0, 6))
    check(run(lambda o: L.PolynomialLR(o, total_iters=4, power=2.0), 7)[0],
          seq(lambda e: (1 - min(e, 4) / 4) ** 2, 7))
    # warm restarts: periods 2, 4, 8 (T_mult=2), cosine from base to eta_min within each
    starts = [0, 2, 6, 14]

    def sgdr(e):
        k = max(i for i, s in enumerate(starts) if s <= e)
        t_i = 2 * 2 ** k
        return (1 + math.cos(math.pi * (e - starts[k]) / t_i)) / 2

    check(run(lambda o: L.CosineAnnealingWarmRestarts(o, T_0=2, T_mult=2), 12)[0], seq(sgdr, 12))


def test_warm_restarts_fractional_epochs_and_errors():
    opt = make_opt()
    sched = L.CosineAnnealingWarmRestarts(opt, T_0=3)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        opt.step()
        sched.step(4.5)  # 1.5 into the second period of 3
    assert sched.get_last_lr() == approx([0.1 * (1 + math.cos(math.pi * 0.5)) / 2,
                                          0.01 * (1 + math.cos(math.pi * 0.5)) / 2])
    assert sched.last_epoch == 4
    with pytest.raises(ValueError, match="Expected positive integer T_0, but got 0"):
        L.CosineAnnealingWarmRestarts(make_opt(), T_0=0)
    with pytest.raises(ValueError, match="Expected integer T_mult >= 1, but got 0.5"):
        L.CosineAnnealingWarmRestarts(make_opt(), T_0=2, T_mult=0.5)
    with pytest.raises(ValueError, match="Constant multiplicative factor expected to be between 0 and 1."):
        L.ConstantLR(make_opt(), factor=2)


def test_sequential_lr_warmup_then_decay():
    opt = make_opt()
    sched = L.SequentialLR(opt, [L.LinearLR(opt, start_factor=0.5, total_iters=2),
                                 L.ExponentialLR(opt, gamma=0.5)], milestones=[3])
    lrs = [sched.get_last_lr()]
    for _ in range(5):
        opt.step()
        sched.step()
        lrs.append(sched.get_last_lr())
    # warmup 0.5, 0.75, 1.0 (x base) for epochs 0-2, then the decay restarts at its epoch 0
    check(lrs, [[0.05, 0.005], [0.075, 0.0075], [0.1, 0.01], [0.1, 0.01], [0.05, 0.005],
                [0.025, 0.0025]])
    state = sched.state_dict()
    assert "optimizer" not in state and len(state["_schedulers"]) == 2
    opt2 = make_opt()
    again = L.SequentialLR(opt2, [L.LinearLR(opt2, start_factor=0.5, total_iters=2),
                                  L.ExponentialLR(opt2, gamma=0.5)], milestones=[3])
    again.load_state_dict(state)
    assert again.last_epoch == 5 and again._schedulers[1].last_epoch == 2
    with pytest.raises(ValueError, match="expects number of schedulers provided to be one more"):
        L.SequentialLR(opt, [L.StepLR(opt, 2)], milestones=[3])
    with pytest.raises(ValueError, match="expects at least one scheduler"):
        L.SequentialLR(opt, [], milestones=[])


@pytest.mark.parametrize("make", [
    lambda S, o: S.MultiplicativeLR(o, lambda e: 0.9),
    lambda S, o: S.ConstantLR(o, factor=0.5, total_iters=3),
    lambda S, o: S.PolynomialLR(o, total_iters=6, power=2.0),
    lambda S, o: S.CosineAnnealingWarmRestarts(o, T_0=3, eta_min=0.01),
    lambda S, o: S.CosineAnnealingWarmRestarts(o, T_0=2, T_mult=2),
    lambda S, o: S.SequentialLR(o, [S.LinearLR(o, 0.1, total_iters=3), S.CosineAnnealingLR(o, T_max=5)],
                                milestones=[4]),
    lambda S, o: S.SequentialLR(o, [S.ConstantLR(o, 0.2, total_iters=2), S.ExponentialLR(o, 0.9),
                                    S.StepLR(o, 2, 0.5)], milestones=[3, 7]),
], ids=["MultiplicativeLR", "ConstantLR", "PolynomialLR", "WarmRestarts", "WarmRestarts_mult",
        "SequentialLR", "SequentialLR3"])
def test_more_schedulers_match_torch(make):
    torch = pytest.importorskip("torch")
    a, b = (torch.zeros(1, requires_grad=True) for _ in range(2))
    topt = torch.optim.SGD([{"params": [a]}, {"params": [b], "lr": 0.01}], lr=0.1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        tsched = make(torch.optim.lr_scheduler, topt)
        expected = [tsched.get_last_lr()]
        for _ in range(13):
            topt.step()
            tsched.step()
            expected.append(tsched.get_last_lr())
        check(run(lambda o: make(L, o), 13)[0], expected)
