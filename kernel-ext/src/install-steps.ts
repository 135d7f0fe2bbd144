/**
 * Extra work for `deepviz-kernel install` / `uninstall` after the kernelspecs are written.
 * The widget kit's step copies its prebuilt JupyterLab extension to
 * `${ctx.dataDir}/labextensions/<npm name>/` (and removes it on uninstall).
 */
export interface InstallContext {
  /** The Jupyter data dir of the chosen location (user, sys-prefix or prefix), e.g. ~/.local/share/jupyter. */
  dataDir: string;
  /** The Python whose Jupyter was used. */
  python: string;
  log: (line: string) => void;
}

export interface InstallStep {
  name: string;
  install(ctx: InstallContext): void;
  uninstall(ctx: InstallContext): void;
}

import { labextensionInstallStep } from "../../widgets/src/labextension";

/** The widget kit's front end is the only extra step today; it copies files and knows nothing of CNNs. */
export const installSteps: InstallStep[] = [labextensionInstallStep];
