"""The lab: every experiment's quick form runs once (shared), and its numbers say what the
chapter says; the report has every section and figure."""
import base64
import html.parser
import io
import json
import shutil
import subprocess

import numpy as np
import pytest

pytest.importorskip("matplotlib")

from deepgrad.lab import EXPERIMENTS, Result, render_html, resolve, run_lab  # noqa: E402


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    """One quick run of every experiment, with its report written."""
    out = tmp_path_factory.mktemp("report")
    results = run_lab(None, quick=True, seed=0, out=out, show_progress=False,
                      stream=io.StringIO())
    return {r.name: r for r in results}, out


def _n(lab, name):
    return lab[0][name].numbers


def test_every_registered_experiment_ran_and_every_claim_holds(lab):
    results, _ = lab
    assert list(results) == list(EXPERIMENTS)
    for name, r in results.items():
        assert isinstance(r, Result)
        assert r.checks, f"{name} checks nothing"
        failed = [s for s, ok in r.checks.items() if not ok]
        assert not failed, f"{name}: {failed}"
        assert r.figures and all(len(f.png) > 1000 for f in r.figures), name
        assert r.table.rows, name
        assert r.command == f"deepgrad lab {name} --seed 0 --quick"


def test_every_result_records_its_time(lab):
    # The time budgets (--quick 60 s, full 5 min) are measured and reported by the run's
    # summary table, never asserted: speed is not a test on a shared machine.
    for r in lab[0].values():
        assert r.timings["cpu_seconds"] >= 0 and r.seconds > 0


@pytest.mark.parametrize("name", ["perceptron"])
def test_perceptron_numbers(lab, name):
    n = _n(lab, name)
    assert n["perceptron_AND_accuracy"] == 1.0 and n["perceptron_OR_accuracy"] == 1.0
    assert n["perceptron_XOR_accuracy"] <= 0.75
    assert n["mlp_XOR_accuracy"] == 1.0
    assert n["perceptron_XOR_errors_per_epoch"][-1] > 0  # still making mistakes at the end


def test_losses_numbers(lab):
    n = _n(lab, "losses")
    # dC/dw = (a - t) sigma'(z) for the quadratic cost at z = 4: sigma'(4) ~ 0.0177
    a = 1 / (1 + np.exp(-4.0))
    assert n["neuron_quadratic_initial_dw"] == pytest.approx(a * a * (1 - a), rel=1e-4)
    assert n["neuron_cross-entropy_initial_dw"] == pytest.approx(a, rel=1e-4)
    assert n["neuron_cross-entropy_epochs_to_output_below_0.5"] < 50
    assert (n["neuron_quadratic_epochs_to_output_below_0.5"] or 10**9) > 150


def test_activations_numbers(lab):
    n = _n(lab, "activations")
    assert n["sigmoid"]["max_derivative"] == pytest.approx(0.25, abs=1e-6)
    assert n["tanh"]["derivative_at_0"] == pytest.approx(1.0)
    assert n["softplus"]["derivative_at_0"] == pytest.approx(0.5)
    p = np.array(n["softmax_output"])
    z = np.array(n["softmax_input"])
    np.testing.assert_allclose(p, np.exp(z) / np.exp(z).sum(), rtol=1e-5)


def test_optimizers_numbers(lab):
    n = _n(lab, "optimizers")
    beale, saddle, mlp = n["beale"], n["saddle"], n["mlp_spirals"]
    assert set(beale) == {"GD", "momentum", "Nesterov", "AdaGrad", "AdaDelta", "RMSProp",
                          "Adam", "AdaMax", "Nadam"}
    assert beale["Adam"]["f"] < 0.1 * beale["GD"]["f"]
    assert saddle["GD"]["steps_to_abs_y_above_1"] is None  # still at the saddle (quick form)
    assert saddle["Adam"]["steps_to_abs_y_above_1"] is not None
    assert mlp["Adam"]["loss"] < mlp["GD"]["loss"]


def test_gradients_numbers(lab):
    n = _n(lab, "gradients")
    sig = np.array(n["sigmoid_grad_norms"])
    assert len(sig) == 20
    assert sig[0] / sig[-1] < 1e-6  # many orders of magnitude, not a near miss
    assert np.all(np.diff(np.log(sig)) > 0)  # shrinks at every layer toward the input
    relu = np.array(n["relu_grad_norms"])
    assert 0.1 < relu[0] / relu[-1] < 10
    plain, clipped = n["explode_plain_loss"], n["explode_clipped_loss"]
    assert n["explode_plain_grad_norm"][0] > 1e3
    assert plain[-1] > 100 * plain[0]
    assert clipped[-1] < 0.5 * clipped[0]


def test_hidden_layers_numbers(lab):
    n = _n(lab, "hidden-layers")
    assert n["depth_0"]["train_accuracy"] <= 0.75
    assert n["depth_3"]["train_accuracy"] >= 0.95 and n["depth_20"]["train_accuracy"] >= 0.95
    assert n["depth_0"]["parameters"] == 2 * 2 + 2  # logistic regression: (2 + 1) * 2
    assert n["depth_3"]["parameters"] == 3 * 16 + 2 * 17 * 16 + 17 * 2


def test_gradient_descent_numbers(lab):
    n = _n(lab, "gradient-descent")
    bgd, sgd, mbgd = (n[k] for k in ("BGD (whole set)", "SGD (online, 1 sample)",
                                      "MBGD (batches of 32)"))
    assert (bgd["updates_per_epoch"], sgd["updates_per_epoch"], mbgd["updates_per_epoch"]) \
        == (1, 512, 16)
    assert sgd["loss"][-1] < bgd["loss"][-1] and mbgd["loss"][-1] < bgd["loss"][-1]
    assert n["paraboloid_lr_0.52"]["f_end"] > n["paraboloid_lr_0.52"]["f_start"]
    assert n["paraboloid_lr_0.4"]["f_end"] < 0.01 * n["paraboloid_lr_0.4"]["f_start"]


def test_regularization_numbers(lab):
    n = _n(lab, "regularization")
    share = n["near_zero_share"]
    assert all(a > b for a, b in zip(share["L1"], share["L2"]))  # L1: more near-zero weights
    rem = n["remedies"]
    base = rem["baseline (no remedy)"]
    assert base["train_acc"] == 1.0
    assert base["val_nll"][-1] > 1.5 * min(base["val_nll"])  # over-fits
    for label, c in rem.items():
        if label != "baseline (no remedy)":
            assert c["final_val_nll"] < base["final_val_nll"], label
    es = rem["early stopping (patience 25)"]
    assert es["epochs_run"] == es["best_epoch"] + 26  # stopped after 25 epochs of patience


def test_cnn_numbers(lab):
    n = _n(lab, "cnn")
    np.testing.assert_array_equal(n["worked_example_feature_map"],
                                  [[4, 3, 4], [2, 4, 3], [2, 3, 4]])
    assert n["test_accuracy"] >= 0.75
    cm = np.array(n["confusion_matrix"])
    assert cm.shape == (10, 10) and np.trace(cm) / cm.sum() == pytest.approx(n["test_accuracy"])
    assert n["pooling_shapes"] == {"max": [14, 14], "average": [14, 14]}


def test_rnn_numbers(lab):
    n = _n(lab, "rnn")
    acc = n["memory_accuracy"]
    assert acc["lengths"][-1] == 50
    assert acc["rnn"][-1] < 0.65 and acc["gru"][-1] >= 0.9
    g = n["grad_norm_through_time"]
    assert g["rnn"][0] / g["rnn"][-1] < 1e-6
    lm = n["char_lm"]
    assert lm["bits_per_char"][-1] < lm["bits_per_char"][0]
    assert len(lm["samples"]) == 3 and all(s for s in lm["samples"])


def test_gan_numbers(lab):
    n = _n(lab, "gan")
    final = n["ring"][-1]
    assert final["modes"] >= 6 and final["high_quality"] > 0.3
    assert n["ring"][0]["modes"] <= 2  # an untrained G covers (almost) nothing
    sat = n["saturation"]
    assert sat["D_of_G_z"] < 0.1
    assert sat["grad_norm"]["minimax"] * 10 < sat["grad_norm"]["non-saturating"]
    d = n["digits_nearest_distance"]
    assert d["after"] < 0.8 * d["before"]


def test_imbalance_numbers(lab):
    n = _n(lab, "imbalance")
    assert n["none"]["train_counts"][1] * 10 < n["none"]["train_counts"][0]
    for remedy in ("random under-sampling", "random over-sampling", "SMOTE"):
        a, b = n[remedy]["train_counts"]
        assert a == b
        assert n[remedy]["minority_recall"] > n["none"]["minority_recall"]
    assert n["SMOTE"]["g_mean"] > n["none"]["g_mean"]


def test_overfitting_numbers(lab):
    n = _n(lab, "overfitting")
    ms, ds = n["model_size"], n["data_size"]
    assert ms["parameters"] == sorted(ms["parameters"])
    assert ms["train_error"][-1] == 0.0 and ms["test_error"][-1] > 0.05
    assert ds["test_error"][-1] < ds["test_error"][0]
    # the remedies panel reuses the regularization experiment's run: identical numbers
    reg = _n(lab, "regularization")["remedies"]
    for label, err in n["remedies_validation_error"].items():
        assert err == pytest.approx(1 - reg[label]["final_val_acc"], abs=1e-6)


# ---- the report ------------------------------------------------------------------------------
class _Page(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.sections, self.images, self.links = [], [], []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "section":
            self.sections.append(a.get("id"))
        if tag == "img":
            self.images.append((self.sections[-1] if self.sections else None, a.get("src", "")))
        if tag in ("link", "script") or (tag == "img" and not a["src"].startswith("data:")):
            self.links.append(a)


def test_report_has_every_section_and_figure(lab):
    results, out = lab
    text = (out / "index.html").read_text(encoding="utf-8")
    page = _Page()
    page.feed(text)
    assert page.sections == list(results)
    assert page.links == []  # nothing fetched from anywhere: one self-contained file
    for name, r in results.items():
        imgs = [src for sec, src in page.images if sec == name]
        assert len(imgs) == len(r.figures)
        for src in imgs:
            png = base64.b64decode(src.split(",", 1)[1])
            assert png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) > 1000
        assert r.claim.split(",")[0] in text.replace("&#x27;", "'")
        assert r.command in text


def test_results_json_has_every_number(lab):
    results, out = lab
    data = json.loads((out / "results.json").read_text())
    assert list(data["experiments"]) == list(results)
    for name, r in results.items():
        entry = data["experiments"][name]
        assert entry["numbers"] == r.numbers
        assert entry["checks"] == r.checks
        assert entry["table"]["rows"] == r.table.rows
        assert entry["seed"] == 0 and entry["quick"] is True


def test_same_seed_same_numbers_other_seed_other_numbers(lab):
    again = EXPERIMENTS["perceptron"].run(quick=True, seed=0)
    assert again.numbers == _n(lab, "perceptron")
    other = EXPERIMENTS["optimizers"].run(quick=True, seed=1)
    assert other.numbers["mlp_spirals"] != _n(lab, "optimizers")["mlp_spirals"]


def test_failed_claim_is_marked_in_report(lab):
    r = EXPERIMENTS["activations"].run(quick=True, seed=0)
    r.check("a statement that does not hold", False)
    text = render_html([r])
    assert "FAILS" in text and "a statement that does not hold" in text


def test_resolve_orders_and_rejects():
    names = list(EXPERIMENTS)
    assert resolve([names[-1], names[0]]) == [names[0], names[-1]]
    assert resolve(None) == names
    with pytest.raises(ValueError, match="unknown experiment.*nope"):
        resolve(["nope"])


@pytest.mark.skipif(not any(shutil.which(b) for b in ("chromium", "chromium-browser",
                                                      "google-chrome")),
                    reason="no Chromium to load the page headless")
def test_report_renders_in_headless_chromium(lab, tmp_path):
    _, out = lab
    browser = next(shutil.which(b) for b in ("chromium", "chromium-browser", "google-chrome")
                   if shutil.which(b))
    shot = tmp_path / "shot.png"
    subprocess.run([browser, "--headless", "--disable-gpu", "--no-sandbox",
                    f"--screenshot={shot}", "--window-size=1200,2000",
                    (out / "index.html").as_uri()], check=True, timeout=60,
                   capture_output=True)
    assert shot.stat().st_size > 10_000


def _fake_mnist(root, n_train=300, n_test=100):
    """Tiny IDX files in MNIST's layout: class k is a bright bar at rows 2k+2..2k+3."""
    from deepgrad.data.datasets.idx import write_idx

    folder = root / "mnist"
    folder.mkdir(parents=True)
    rng = np.random.default_rng(0)
    for stem, n in (("train", n_train), ("t10k", n_test)):
        y = rng.integers(0, 10, n).astype(np.uint8)
        X = rng.integers(0, 40, (n, 28, 28)).astype(np.uint8)
        for i, k in enumerate(y):
            X[i, 2 * k + 2:2 * k + 4, 4:24] = 255
        write_idx(folder / f"{stem}-images-idx3-ubyte", X)
        write_idx(folder / f"{stem}-labels-idx1-ubyte", y)


def test_cnn_uses_mnist_when_its_files_are_present(tmp_path, monkeypatch):
    _fake_mnist(tmp_path)
    monkeypatch.setenv("DEEPGRAD_DATA", str(tmp_path))
    r = EXPERIMENTS["cnn"].run(quick=True, seed=0)
    assert r.numbers["data"].startswith("MNIST (300 train / 100 test)")
    assert r.numbers["test_accuracy"] > 0.5  # chance is 0.1; 15 updates already tell bars apart
