/**
 * Extra work for `deepviz-kernel install` / `uninstall` after the kernelspecs are written. The kernel
 * knows no step itself: the package's `deepviz-kernel` command (entry/kernel-cli.ts) hands it the widget
 * kit's, which copies the prebuilt JupyterLab extension to `${ctx.dataDir}/labextensions/<npm name>/`.
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
