import { Tensor } from '../../engine/tensor.js';
import { Module } from '../module.js';

/** Applies children in order; a child's name is given or its index. */
export class Sequential extends Module {
  private readonly layers: Module[] = [];

  constructor(layers: (Module | [string, Module])[] = []) {
    super();
    for (const l of layers) {
      if (Array.isArray(l)) this.append(l[0], l[1]);
      else this.append(String(this.layers.length), l);
    }
  }

  append(name: string, m: Module): this {
    this.layers.push(this.addModule(name, m));
    return this;
  }

  forward(x: Tensor): Tensor {
    let h = x;
    for (const l of this.layers) h = l.forward(h);
    return h;
  }
}
