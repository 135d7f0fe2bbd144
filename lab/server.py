"""Serve the DeepViz JupyterLab build with Debian's jupyter_server and jupyterlab_server.

    python3 lab/server.py --build DIR --data DIR [any jupyter_server option, e.g. --port 8899]

DIR of --build holds what lab/webpack.config.js wrote (static/, schemas/, themes/); --data is a Jupyter
data directory holding kernels/ and labextensions/ (the DeepViz kernel and the deepviz-widgets extension,
installed there by scripts/lab.ts). Nothing from the user's Jupyter configuration is read.
"""
import argparse
import os

os.environ["JUPYTER_NO_CONFIG"] = "1"

from jupyterlab_server import LabServerApp  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))

_parser = argparse.ArgumentParser(add_help=False)
_parser.add_argument("--build", required=True)
_parser.add_argument("--data", required=True)
_ours, _rest = _parser.parse_known_args()
BUILD, DATA = os.path.abspath(_ours.build), os.path.abspath(_ours.data)
# kernels are looked up in the data directory given, before the system's
os.environ["JUPYTER_PATH"] = DATA + (os.pathsep + os.environ["JUPYTER_PATH"] if os.environ.get("JUPYTER_PATH") else "")


def _jupyter_server_extension_points():
    return [{"module": __name__, "app": DeepVizLab}]


class DeepVizLab(LabServerApp):
    name = "lab"
    app_name = "JupyterLab (DeepViz)"
    app_version = "4"
    load_other_extensions = False
    extension_url = "/lab"
    default_url = "/lab"
    static_dir = os.path.join(BUILD, "static")
    schemas_dir = os.path.join(BUILD, "schemas")
    themes_dir = os.path.join(BUILD, "themes")
    templates_dir = os.path.join(HERE, "templates")
    app_settings_dir = os.path.join(HERE, "settings")
    user_settings_dir = os.path.join(DATA, "user-settings")
    workspaces_dir = os.path.join(DATA, "workspaces")
    labextensions_path = [os.path.join(DATA, "labextensions")]

    def initialize_settings(self):
        super().initialize_settings()
        self.serverapp.web_app.settings["terminals_available"] = False


if __name__ == "__main__":
    DeepVizLab.launch_instance(argv=_rest)
