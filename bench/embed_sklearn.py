"""scikit-learn's t-SNE on the same points as bench/embed.ts, for its time and trustworthiness.

Usage: embed_sklearn.py POINTS.f32 N D PERPLEXITY SEED OUT.f32
Reads N*D float32 points, runs TSNE(2-D, Barnes-Hut, PCA init, learning_rate="auto"), writes its layout
to OUT.f32 and prints one JSON line: wall and CPU seconds (all threads). bench/embed.ts scores both
layouts with one trustworthiness (ours; test/embed/trustworthiness.test.ts checks it by hand), since
sklearn's needs n² memory at 20,000 points.
"""
import json
import sys
import time

import numpy as np
import sklearn
from sklearn.manifold import TSNE

path, n, d, perplexity, seed, out = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4]), int(sys.argv[5]), sys.argv[6]
x = np.fromfile(path, dtype=np.float32).reshape(n, d)
start = time.perf_counter()
cpu_start = time.process_time()
y = TSNE(n_components=2, perplexity=perplexity, init="pca", learning_rate="auto", method="barnes_hut",
         angle=0.5, random_state=seed).fit_transform(x)
seconds = time.perf_counter() - start
cpu_seconds = time.process_time() - cpu_start
y.astype(np.float32).tofile(out)
print(json.dumps({"seconds": seconds, "cpuSeconds": cpu_seconds, "sklearn": sklearn.__version__}))
