/** The package's `deepviz-kernel` command: the kernel's CLI, with the widget kit's install step handed in. */
import { main as kernelCli } from "../../kernel-ext/src/kernel-cli";
import { labextensionInstallStep } from "../../widgets/src/labextension";

export function main(argv: string[]): Promise<void> {
  return kernelCli(argv, { installSteps: [labextensionInstallStep] });
}
