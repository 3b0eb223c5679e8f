"""Corpus for ``word_language_model.py``: a word dictionary and train/valid/test id tensors.

Text comes from ``DIR/train.txt``, ``DIR/valid.txt`` and ``DIR/test.txt`` when a folder is given,
else from ``generate_text``: sentences from a small seeded grammar (subject, verb, object, optional
prepositional phrase), so the program runs without downloads and its perplexity has a known floor
well below the vocabulary size. Every line ends with an ``<eos>`` token.
"""
import os
import random

import torch

_SUBJECTS = ["the cat", "a dog", "the old man", "my sister", "the teacher", "a bird", "the robot",
             "our neighbour", "the child", "a farmer"]
_VERBS = ["sees", "likes", "carries", "paints", "follows", "finds", "builds", "watches"]
_OBJECTS = ["the ball", "a red box", "the river", "some bread", "a small house", "the garden",
            "an apple", "the moon", "a long letter"]
_PHRASES = ["in the morning", "near the bridge", "with great care", "after dinner",
            "under the table", "every day"]


def generate_text(n_lines, seed):
    """``n_lines`` grammar sentences, one per line, from a ``random.Random(seed)``."""
    rng = random.Random(seed)
    lines = []
    for _ in range(n_lines):
        words = [rng.choice(_SUBJECTS), rng.choice(_VERBS), rng.choice(_OBJECTS)]
        if rng.random() < 0.5:
            words.append(rng.choice(_PHRASES))
        lines.append(" ".join(words) + " .")
    return "\n".join(lines) + "\n"


class Dictionary:
    def __init__(self):
        self.word2idx = {}
        self.idx2word = []

    def add_word(self, word):
        if word not in self.word2idx:
            self.idx2word.append(word)
            self.word2idx[word] = len(self.idx2word) - 1
        return self.word2idx[word]

    def __len__(self):
        return len(self.idx2word)


class Corpus:
    """Tokenized splits; ``train``, ``valid`` and ``test`` are 1-D int64 tensors of word ids."""

    def __init__(self, path=None, n_lines=2000, seed=0):
        self.dictionary = Dictionary()
        if path is not None:
            texts = []
            for name in ("train.txt", "valid.txt", "test.txt"):
                with open(os.path.join(path, name), encoding="utf8") as f:
                    texts.append(f.read())
        else:
            n_held = max(n_lines // 10, 1)
            texts = [generate_text(n_lines, seed), generate_text(n_held, seed + 1),
                     generate_text(n_held, seed + 2)]
        self.train, self.valid, self.test = (self.tokenize(text) for text in texts)

    def tokenize(self, text):
        ids = []
        for line in text.splitlines():
            for word in line.split() + ["<eos>"]:
                ids.append(self.dictionary.add_word(word))
        return torch.tensor(ids, dtype=torch.int64)
