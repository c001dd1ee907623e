// The train page (placeholder: filled in by its owner).
import { h } from '../lib/dom.js';
import { t } from '../lib/i18n.js';

export default {
  strings: { en: { 'train.title': 'train' }, zh: { 'train.title': 'train' } },
  async render(main) {
    main.append(h('h1', {}, t('nav.train')));
  },
};
