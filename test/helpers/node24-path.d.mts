export const NODE24_PACKAGE: string;
export const NODE24_DIR: string;
export const NODE24_BINARY: string;
