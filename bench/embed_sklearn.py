"""scikit-learn's t-SNE on the same points as bench/embed.ts, for its time and trustworthiness.

Usage: embed_sklearn.py POINTS.f32 N D PERPLEXITY SEED OUT.f32 [OURS.f32]
Reads N*D float32 points, runs TSNE(2-D, Barnes-Hut, PCA init, learning_rate="auto"), writes its layout
to OUT.f32 and prints one JSON line: wall and CPU seconds (all threads), trustworthiness (k = 5 and 10) of its layout and, when
OURS.f32 is given, sklearn's trustworthiness of our layout (a cross-check of our implementation).
"""
import json
import sys
import time

import numpy as np
import sklearn
from sklearn.manifold import TSNE, trustworthiness

path, n, d, perplexity, seed, out = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4]), int(sys.argv[5]), sys.argv[6]
x = np.fromfile(path, dtype=np.float32).reshape(n, d)
start = time.perf_counter()
cpu_start = time.process_time()
y = TSNE(n_components=2, perplexity=perplexity, init="pca", learning_rate="auto", method="barnes_hut",
         angle=0.5, random_state=seed).fit_transform(x)
seconds = time.perf_counter() - start
cpu_seconds = time.process_time() - cpu_start
y.astype(np.float32).tofile(out)
result = {"seconds": seconds, "cpuSeconds": cpu_seconds, "sklearn": sklearn.__version__,
          "trust5": trustworthiness(x, y, n_neighbors=5), "trust10": trustworthiness(x, y, n_neighbors=10)}
if len(sys.argv) > 7:
    ours = np.fromfile(sys.argv[7], dtype=np.float32).reshape(n, 2)
    result["oursTrust5"] = trustworthiness(x, ours, n_neighbors=5)
print(json.dumps(result))
